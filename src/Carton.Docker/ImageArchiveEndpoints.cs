using Carton.Docker.Events;
using Carton.Images;
using Carton.Images.Content;
using Carton.Images.Formats;
using Carton.Images.Model;

namespace Carton.Docker;

/// <summary>
/// `docker save` and `docker load`: GET /images/get?names=… and /images/{name}/get stream a docker-archive of the
/// images (Carton.Images' <see cref="ImageExporter"/>: manifest.json, repositories, and the same blobs as an OCI
/// layout, as Docker 25's save writes), and POST /images/load stores the images of a docker-archive or an OCI layout
/// tar (<see cref="ImageImporter"/>), answered as dockerd's load: JSON messages ("Loaded image: NAME").
/// </summary>
internal static class ImageArchiveEndpoints
{
    /// <summary>GET /images/get?names=A&amp;names=B: every image named, in one archive.</summary>
    public static Task SaveMany(DockerServices services, HttpContext ctx)
    {
        var names = ctx.Request.Query["names"].Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList();
        if (names.Count == 0) throw DockerErrors.BadRequest("names is required: the images to save", "names");
        return Save(services, ctx, names);
    }

    /// <summary>
    /// The archive of <paramref name="names"/>, resolved as dockerd's save resolves them: a tagged reference or
    /// repo@digest is that name; a repository without tag is every tag of it; an id (or a unique prefix) is the image
    /// with its names. Everything is resolved before the first byte, so an unknown name is a plain 404 ("reference
    /// does not exist", dockerd's reference store's words) and nothing is streamed. The response is the tar itself,
    /// written from the store's blob files (no temp file), under a shared lease so a prune cannot take a blob from
    /// under it. Event: image save, per image.
    /// </summary>
    public static async Task Save(DockerServices services, HttpContext ctx, IReadOnlyList<string> names)
    {
        Platform? platform = VersionMiddleware.Of(ctx) >= new ApiVersion(1, 48) && Query.String(ctx, "platform") is { Length: > 0 } p
            ? ImageEndpoints.ParsePlatform(p)
            : null;
        var store = services.Images;
        using var lease = StoreLease.Shared(store.Root, ctx.RequestAborted);
        var images = ImageCatalog.Load(store);
        var references = new List<string>();
        var saved = new List<DockerImage>();
        foreach (var name in names)
        {
            foreach (var (image, recordNames) in Resolve(images, name))
            {
                references.AddRange(recordNames);
                if (!saved.Contains(image)) saved.Add(image);
            }
        }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/x-tar";
        await ImageExporter.ExportAsync(store, [.. references.Distinct(StringComparer.Ordinal)], ctx.Response.Body, ExportFormat.Docker, platform, ctx.RequestAborted);
        // as dockerd: one save event per image, the id as actor and name
        foreach (var image in saved) services.Events.Image(image.Id, "save", image.Id);
    }

    private static IEnumerable<(DockerImage Image, IReadOnlyList<string> Names)> Resolve(List<DockerImage> images, string name)
    {
        bool parsed = ImageReference.TryParse(name, out var reference);
        // a repository without tag or digest ("busybox"): every tag of it, as dockerd's ReferencesByName
        if (parsed && IsNameOnly(name))
        {
            var tagged = images
                .Select(i => (Image: i, Names: (IReadOnlyList<string>)[.. i.Records.Select(r => r.Name)
                    .Where(n => ImageReference.Parse(n) is { Tag: not null } r && r.Name == reference.Name)]))
                .Where(x => x.Names.Count > 0)
                .ToList();
            if (tagged.Count > 0) return tagged;
        }
        try
        {
            var (image, record) = ImageCatalog.Find(images, name);
            IReadOnlyList<string> recordNames = record is null ? [.. image.Records.Select(r => r.Name)] : [record.Name];
            return [(image, recordNames)];
        }
        catch (CartonException e) when (e.Kind == ErrorKind.NotFound && parsed && !IsNameOnly(name) && !name.StartsWith("sha256:", StringComparison.Ordinal))
        {
            throw new CartonException(ErrorKind.NotFound, "reference does not exist");
        }
    }

    /// <summary>A reference without ":tag" (after the last '/': a registry's port comes before it) and without "@digest".</summary>
    private static bool IsNameOnly(string name) =>
        !name.Contains('@', StringComparison.Ordinal) && !name[(name.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal);

    /// <summary>
    /// POST /images/load[?quiet=1]: the body is a tar (docker-archive, or an OCI layout), read once as it comes. As
    /// dockerd, the answer is always a JSON message stream: "Loaded image: NAME" per name ("Loaded image ID: sha256:…"
    /// for an image the archive does not name) in <c>stream</c>, or the error as an errorDetail message. A failed load
    /// leaves nothing: blobs are stored as the tar passes, so the ones it added that no name reaches are deleted
    /// before the answer ends. Event: image load, per image. There is no per-layer progress ("Loading layer"), so
    /// quiet changes nothing.
    /// </summary>
    public static async Task Load(DockerServices services, HttpContext ctx)
    {
        // an image archive may be large: this request, alone, reads past the JSON bodies' limit
        if (ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null;
        // the importer tells compressed tars from plain ones by reading the first bytes synchronously (LayerStream.Sniff)
        if (ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>() is { } control)
            control.AllowSynchronousIO = true;
        var store = services.Images;
        var stream = new JsonMessageStream(ctx);
        var before = store.Content.List().ToHashSet();
        IReadOnlyList<ImportedImage> imported;
        try
        {
            imported = await store.ImportAsync(ctx.Request.Body, null, ctx.RequestAborted);
        }
        catch (CartonException e)
        {
            await RemoveLeftoversAsync(store, before);
            await stream.FailAsync(e.Message);
            return;
        }
        catch
        {
            await RemoveLeftoversAsync(store, before);
            throw;
        }
        foreach (var image in imported)
        {
            var id = ImageId(store, image);
            if (image.Names.Count == 0)
                await stream.WriteAsync(new Models.JsonMessage { Stream = $"Loaded image ID: {id}\n" });
            foreach (var name in image.Names)
                await stream.WriteAsync(new Models.JsonMessage { Stream = $"Loaded image: {ImageCatalog.Familiar(name)}\n" });
            // as dockerd: the image id as actor and name
            services.Events.Image(id, "load", id);
        }
    }

    /// <summary>Docker's image id (the config's digest, for this host's platform); the top descriptor's digest when the
    /// archive holds no manifest for this host.</summary>
    private static string ImageId(ImageStore store, ImportedImage image)
    {
        try
        {
            return store.Resolve(image.Names.FirstOrDefault() ?? image.Target.Digest, image.Target).ConfigDigest.ToString();
        }
        catch (CartonException)
        {
            return image.Target.Digest;
        }
    }

    /// <summary>
    /// Deletes the blobs a failed load added that no name reaches. Under the store's exclusive lease, which waits for
    /// every pull and import under way to record its names: a blob another operation stored meanwhile is reachable by
    /// then and stays. What is deleted is a subset of what an image prune would delete.
    /// </summary>
    private static Task RemoveLeftoversAsync(ImageStore store, HashSet<Digest> before) =>
        Task.Run(async () =>
        {
            using var lease = StoreLease.Exclusive(store.Root);
            var reachable = store.MarkReachable();
            foreach (var digest in store.Content.List().ToList())
                if (!before.Contains(digest) && !reachable.Contains(digest))
                    await store.Content.DeleteAsync(digest);
        });
}
