using System.Text.Json;
using Carton.Docker.Events;
using Carton.Docker.Models;
using Carton.Images;
using Carton.Images.Registry;

namespace Carton.Docker;

/// <summary>
/// POST /images/{name}/push?tag=T (`docker push`): the image goes to the registry its name says, through Carton.Images'
/// pusher, streamed as dockerd's JSON messages: "The push refers to repository [NAME]", the layers' progress
/// (<see cref="PushStream"/>), then "TAG: digest: sha256:… size: N" and an aux {Tag, Digest, Size}. Errors after the
/// first line go in the stream (errorDetail), as dockerd's. Event: image push (the pushed reference as actor, the
/// repository as name).
/// </summary>
internal static class ImagePushEndpoint
{
    public static async Task Push(DockerServices services, HttpContext ctx, string name)
    {
        var tag = Query.String(ctx, "tag");
        ImageReference repository;
        try
        {
            repository = ImageReference.Parse(name);
            if (!string.IsNullOrEmpty(tag)) repository = repository.WithTag(tag);
        }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument)
        {
            throw DockerErrors.BadRequest(e.Message, string.IsNullOrEmpty(tag) ? "name" : "tag");
        }
        var options = new RegistryOptions
        {
            Credentials = await CredentialsAsync(ctx),
            // the daemon serves many users: root's ~/.docker/config.json is not theirs to use
            IgnoreDockerConfig = true,
        };
        // Without a tag, dockerd pushes every tag of the repository; a name with a tag or digest is that one.
        bool allTags = string.IsNullOrEmpty(tag) && !name.Contains('@', StringComparison.Ordinal)
                       && !name[(name.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal);

        var output = new JsonMessageStream(ctx);
        var familiarRepository = DockerImage.FamiliarName(repository);
        await output.WriteAsync(new JsonMessage { Status = $"The push refers to repository [{repository.Name}]" });
        try
        {
            var records = services.Images.List().Where(r => ImageReference.Parse(r.Name).Name == repository.Name).ToList();
            if (records.Count == 0)
                throw new CartonException(ErrorKind.NotFound, $"An image does not exist locally with the tag: {familiarRepository}");
            List<ImageReference> targets = allTags
                ? [.. records.Select(r => ImageReference.Parse(r.Name)).Where(r => r.Tag is not null && r.Digest is null).OrderBy(r => r.Tag, StringComparer.Ordinal)]
                : [repository];
            if (!allTags && services.Images.Get(repository.ToString()) is null)
                throw new CartonException(ErrorKind.NotFound, $"tag does not exist: {repository.ToFamiliarString()}");
            foreach (var target in targets)
            {
                var progress = new PushStream(output);
                progress.Start();
                PushedImage pushed;
                try
                {
                    pushed = await services.Images.PushAsync(target.ToString(), options, progress, ctx.RequestAborted);
                }
                finally
                {
                    await progress.DrainAsync();
                }
                var label = target.Tag ?? target.Digest?.ToString() ?? "";
                await output.WriteAsync(new JsonMessage { Status = $"{label}: digest: {pushed.Target.Digest} size: {pushed.Target.Size}" });
                await output.WriteAsync(new JsonMessage
                {
                    ProgressDetail = new ProgressDetail(),
                    Aux = new PushResult { Tag = label, Digest = pushed.Target.Digest, Size = pushed.Target.Size },
                });
                services.Events.Image(target.ToFamiliarString(), "push", familiarRepository);
            }
        }
        catch (CartonException e)
        {
            await output.FailAsync(e.Message);
        }
    }

    /// <summary>
    /// The push's credentials: X-Registry-Auth (<see cref="RegistryAuthHeader"/>). Without the header, dockerd up to
    /// API 1.50 (docker 28, the newest Carton serves) reads an AuthConfig JSON from the body instead, and refuses the
    /// request when there is none: 400 "bad parameters and missing X-Registry-Auth" (moby removed that fallback for
    /// API 1.51, where a missing header is an anonymous push). The CLIs always send the header ("{}" when they have
    /// no credentials).
    /// </summary>
    private static async Task<RegistryCredentials?> CredentialsAsync(HttpContext ctx)
    {
        if (ctx.Request.Headers.ContainsKey(RegistryAuthHeader.Name)) return RegistryAuthHeader.Read(ctx);
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        if (buffer.Length == 0) throw DockerErrors.BadRequest($"bad parameters and missing {RegistryAuthHeader.Name}: EOF", RegistryAuthHeader.Name);
        AuthConfig? auth;
        try
        {
            auth = JsonSerializer.Deserialize(buffer.ToArray(), DockerJsonContext.Default.AuthConfig);
        }
        catch (JsonException e)
        {
            throw DockerErrors.BadRequest($"bad parameters and missing {RegistryAuthHeader.Name}: {e.Message}", RegistryAuthHeader.Name);
        }
        return auth is { Username.Length: > 0 } ? new RegistryCredentials(auth.Username, auth.Password ?? "") : null;
    }
}
