using Carton.Docker.Models;
using Carton.Images;
using Carton.Images.Content;
using Carton.Images.Model;
using Carton.Images.Registry;

namespace Carton.Docker;

/// <summary>
/// The image routes over Carton.Images' store: list, inspect, remove, tag, and pull (POST /images/create). Docker's
/// image is an image id with names; the store holds names (see <see cref="DockerImage"/>).
/// </summary>
internal static class ImageEndpoints
{
    public static async Task List(DockerServices services, HttpContext ctx)
    {
        var filters = DockerFilters.Parse(ctx, "reference", "dangling", "label", "before", "since");
        var images = ImageCatalog.Load(services.Images);
        IEnumerable<DockerImage> selected = images;
        if (filters.Has("dangling"))
        {
            var values = filters.Get("dangling");
            if (values.Any(v => v is not ("true" or "false" or "1" or "0")))
                throw DockerErrors.BadRequest($"invalid filter 'dangling={values[0]}'", "filters");
            bool dangling = values.Any(v => v is "true" or "1");
            selected = selected.Where(i => (i.RepoTags.Count == 0) == dangling);
        }
        if (filters.Has("reference"))
            selected = selected.Where(i => filters.Get("reference").Any(pattern => MatchesReference(i, pattern)));
        if (filters.Has("label"))
            selected = selected.Where(i => filters.Get("label").All(label => HasLabel(i, label)));
        if (filters.Has("before"))
        {
            var pivot = ImageCatalog.Find(images, filters.Get("before")[0]).Image.Created;
            selected = selected.Where(i => i.Created < pivot);
        }
        if (filters.Has("since"))
        {
            var pivot = ImageCatalog.Find(images, filters.Get("since")[0]).Image.Created;
            selected = selected.Where(i => i.Created > pivot);
        }
        bool oldApi = VersionMiddleware.Of(ctx) < new ApiVersion(1, 44);
        var list = selected
            .OrderByDescending(i => i.Created ?? DateTimeOffset.MinValue)
            .Select(i => new ImageSummary
            {
                Id = i.Id,
                RepoTags = i.RepoTags,
                RepoDigests = i.RepoDigests,
                Created = i.Created?.ToUnixTimeSeconds() ?? 0,
                Size = i.Size,
                VirtualSize = oldApi ? i.Size : null,
                Labels = i.Labels,
            })
            .ToList();
        await DockerJson.WriteAsync(ctx, list, DockerJsonContext.Wire.ListImageSummary);
    }

    public static Task Inspect(DockerServices services, HttpContext ctx, string name)
    {
        var image = ImageCatalog.Find(ImageCatalog.Load(services.Images), name).Image;
        var config = image.Image.Config;
        var inspect = new ImageInspect
        {
            Id = image.Id,
            RepoTags = image.RepoTags,
            RepoDigests = image.RepoDigests,
            Created = config.Created,
            Author = config.Author ?? "",
            Comment = config.History?.LastOrDefault()?.Comment ?? "",
            Config = config.Config ?? new ContainerConfig(),
            Architecture = config.Architecture,
            Variant = config.Variant,
            Os = config.Os,
            OsVersion = config.OsVersion,
            Size = image.Size,
            VirtualSize = VersionMiddleware.Of(ctx) < new ApiVersion(1, 44) ? image.Size : null,
            GraphDriver = new GraphDriverData { Name = "overlayfs" },
            RootFS = new ImageRootFs { Type = config.RootFs.Type, Layers = [.. config.RootFs.DiffIds] },
        };
        return DockerJson.WriteAsync(ctx, inspect, DockerJsonContext.Wire.ImageInspect);
    }

    /// <summary>
    /// DELETE /images/{name}. By name: that name goes; when it was the image's last, the image goes too. By id: every
    /// name goes, which takes ?force=1 when there are several. Either way, removing the image a compute system was
    /// made from takes ?force=1 (409 otherwise). The blobs stay in the store until a prune; ?noprune changes nothing.
    /// </summary>
    public static async Task Delete(DockerServices services, HttpContext ctx, string name)
    {
        bool force = Query.Bool(ctx, "force");
        var images = ImageCatalog.Load(services.Images);
        var (image, record) = ImageCatalog.Find(images, name);
        IReadOnlyList<Carton.Images.Content.ImageRecord> removing = record is null ? image.Records : [record];
        bool removesImage = removing.Count == image.Records.Count;
        if (record is null && image.Records.Count > 1 && !force)
            throw DockerErrors.Conflict($"conflict: unable to delete {image.ShortId} (must be forced) - image is referenced in multiple repositories");
        if (removesImage && !force && await UserOf(services, image, ctx.RequestAborted) is { } user)
        {
            throw DockerErrors.Conflict(record is null
                ? $"conflict: unable to delete {image.ShortId} (must be forced) - image is being used by {user.State} container {user.Id}"
                : $"conflict: unable to remove repository reference \"{ImageCatalog.Familiar(record.Name)}\" (must force) - container {user.Id} is using its referenced image {image.ShortId}");
        }
        var answer = new List<ImageDeleteResponseItem>();
        foreach (var r in removing)
        {
            if (await services.Images.RemoveAsync(r.Name, ctx.RequestAborted))
            {
                answer.Add(new ImageDeleteResponseItem { Untagged = ImageCatalog.Familiar(r.Name) });
                services.Events.Image(image.Id, "untag", ImageCatalog.Familiar(r.Name));
            }
        }
        if (removesImage)
        {
            answer.Add(new ImageDeleteResponseItem { Deleted = image.Id });
            services.Events.Image(image.Id, "delete", image.Id);
        }
        await DockerJson.WriteAsync(ctx, answer, DockerJsonContext.Wire.ListImageDeleteResponseItem);
    }

    /// <summary>POST /images/{name}/tag?repo=R&amp;tag=T: names the image R:T (T defaults to latest), replacing what
    /// that name pointed at. The new name points at the same top-level descriptor (index or manifest) as the name it
    /// was found by.</summary>
    public static async Task Tag(DockerServices services, HttpContext ctx, string name)
    {
        var repo = Query.String(ctx, "repo");
        var tag = Query.String(ctx, "tag");
        if (string.IsNullOrEmpty(repo)) throw DockerErrors.BadRequest("repository name must have at least one component", "repo");
        ImageReference target;
        try
        {
            target = ImageReference.Parse(repo);
            if (target.Digest is not null) throw DockerErrors.BadRequest("refusing to create a tag with a digest reference", "repo");
            if (!string.IsNullOrEmpty(tag)) target = target.WithTag(tag);
        }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument)
        {
            throw DockerErrors.BadRequest(e.Message, "repo");
        }
        var (image, record) = ImageCatalog.Find(ImageCatalog.Load(services.Images), name);
        var descriptor = (record ?? image.Records[0]).Target;
        await services.Images.PutAsync(target.ToString(), descriptor, ctx.RequestAborted);
        services.Events.Image(image.Id, "tag", ImageCatalog.Familiar(target.ToString()));
        ctx.Response.StatusCode = StatusCodes.Status201Created;
    }

    /// <summary>POST /images/create?fromImage=NAME&amp;tag=TAG[&amp;platform=os/arch[/variant]]: a pull through
    /// Carton.Images' puller, streamed as Docker's JSON progress messages. An import (?fromSrc) is not built yet.</summary>
    public static async Task Create(DockerServices services, HttpContext ctx)
    {
        if (!string.IsNullOrEmpty(Query.String(ctx, "fromSrc"))) throw DockerErrors.NotYet("importing an image (POST /images/create?fromSrc)");
        var from = Query.String(ctx, "fromImage");
        if (string.IsNullOrEmpty(from)) throw DockerErrors.BadRequest("fromImage or fromSrc is required", "fromImage");
        var tag = Query.String(ctx, "tag");
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(from);
            // ?tag wins over a tag in fromImage; a digest in either pins the content. `docker pull REPO@DIGEST` sends
            // fromImage=REPO&tag=DIGEST: the image is then named by its digest alone, as dockerd names it (not
            // REPO:latest, the tag Parse gives a bare REPO)
            if (reference.Digest is null && !string.IsNullOrEmpty(tag))
                reference = tag.Contains(':', StringComparison.Ordinal)
                    ? ImageReference.Parse($"{reference.Name}@{Digest.Parse(tag, "tag")}")
                    : reference.WithTag(tag);
        }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument)
        {
            throw DockerErrors.BadRequest(e.Message, "fromImage");
        }
        var options = new RegistryOptions
        {
            Credentials = RegistryAuthHeader.Read(ctx),
            // the daemon serves many users: root's ~/.docker/config.json is not theirs to use
            IgnoreDockerConfig = true,
            Platform = Query.String(ctx, "platform") is { Length: > 0 } p ? ParsePlatform(p) : null,
        };
        var name = reference.ToString();
        var before = services.Images.Get(name)?.Target.Digest;
        var stream = new PullStream(ctx, reference);
        StoredImage pulled;
        try
        {
            pulled = await services.Images.PullAsync(name, options, stream, ctx.RequestAborted);
        }
        catch (CartonException e)
        {
            await stream.DrainAsync();
            if (!stream.Started) throw;
            await stream.FailAsync(e.Message);
            return;
        }
        catch
        {
            await stream.DrainAsync();
            throw;
        }
        await stream.FinishAsync(pulled.Target.Digest, upToDate: before == pulled.Target.Digest && !stream.DownloadedAny);
        // dockerd: the actor is the reference pulled, its name attribute the same
        services.Events.Image(ImageCatalog.Familiar(name), "pull", ImageCatalog.Familiar(name));
    }

    /// <summary>A compute system made from <paramref name="image"/> (by its id, or by one of its names for a system
    /// that recorded no id), or null.</summary>
    private static async Task<Carton.Compute.ComputeSystemSummary?> UserOf(DockerServices services, DockerImage image, CancellationToken ct)
    {
        var names = image.Records.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        await foreach (var s in services.Compute.EnumerateComputeSystemsAsync(null, ct))
            if (s.ImageId == image.Id || (s.ImageId is null && s.Image is not null && names.Contains(s.Image)))
                return s;
        return null;
    }

    private static bool MatchesReference(DockerImage image, string pattern)
    {
        foreach (var record in image.Records)
        {
            var r = ImageReference.Parse(record.Name);
            var familiarName = DockerImage.FamiliarName(r);
            var full = ImageCatalog.Familiar(record.Name);
            if (DockerFilters.GlobMatch(pattern, full)) return true;
            if (DockerFilters.GlobMatch(pattern, familiarName)) return true;
            if (DockerFilters.GlobMatch(pattern, familiarName + "@" + record.Target.Digest)) return true;
        }
        return false;
    }

    private static bool HasLabel(DockerImage image, string filter)
    {
        var labels = image.Labels;
        if (labels is null) return false;
        int eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }

    internal static Platform ParsePlatform(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0))
            throw DockerErrors.BadRequest($"invalid platform \"{text}\": expected os[/arch[/variant]]", "platform");
        var host = Platform.Host();
        return new Platform { Os = parts[0], Architecture = parts.Length > 1 ? parts[1] : host.Architecture, Variant = parts.Length > 2 ? parts[2] : null };
    }
}
