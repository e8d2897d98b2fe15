using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// The Docker Engine API on a <see cref="WebApplication"/> of its own (carton-serve gives it its own socket):
/// the whole pipeline, errors in Docker's shape, the <c>/vX.Y</c> prefix, the routes of <see cref="Routes"/>, and
/// 404 "page not found" for everything else. This slice (issue 13, first part) serves the system and image
/// endpoints; docs/docker-api.md lists every endpoint family and its status.
/// </summary>
public static class DockerApi
{
    /// <summary>The largest request body read (JSON documents). Image loads and archive uploads, when they come,
    /// lift it for their own requests.</summary>
    public const long MaxRequestBodyBytes = 4 << 20;

    private delegate Task Handler(DockerServices services, HttpContext ctx);

    /// <summary>The routes, in one table: <see cref="Map"/> maps exactly these (paths after the version prefix).</summary>
    private static readonly (string Method, string Pattern, Handler Handle)[] Table =
    [
        ("GET", "/_ping", SystemEndpoints.Ping),
        ("HEAD", "/_ping", SystemEndpoints.Ping),
        ("GET", "/version", SystemEndpoints.Version),
        ("GET", "/info", SystemEndpoints.Info),
        ("POST", "/auth", AuthEndpoint.Handle),
        ("GET", "/events", Events.EventEndpoints.Stream),

        ("GET", "/images/json", ImageEndpoints.List),
        ("POST", "/images/create", ImageEndpoints.Create),
        ("GET", "/images/get", ImageArchiveEndpoints.SaveMany),
        ("POST", "/images/load", ImageArchiveEndpoints.Load),
        // Image names hold '/' ("127.0.0.1:5000/busybox"), and dockerd's routes put the name before a suffix
        // (/images/{name}/json): a catch-all cannot, so these three parse the rest of the path themselves, by suffix.
        ("GET", "/images/{**rest}", (s, ctx) => WithName(ctx,
            ("/json", name => ImageEndpoints.Inspect(s, ctx, name)),
            ("/get", name => ImageArchiveEndpoints.Save(s, ctx, [name])),
            ("/history", name => ImageHistoryEndpoint.Handle(s, ctx, name)))),
        ("POST", "/images/{**rest}", (s, ctx) => WithName(ctx,
            ("/tag", name => ImageEndpoints.Tag(s, ctx, name)),
            ("/push", name => ImagePushEndpoint.Push(s, ctx, name)))),
        ("DELETE", "/images/{**rest}", (s, ctx) => WithName(ctx, ("", name => ImageEndpoints.Delete(s, ctx, name)))),

        ("POST", "/containers/create", ContainerEndpoints.Create),
        ("GET", "/containers/json", ContainerEndpoints.List),
        ("GET", "/containers/{id}/json", ContainerEndpoints.Inspect),
        ("POST", "/containers/{id}/start", ContainerEndpoints.Start),
        ("POST", "/containers/{id}/stop", ContainerEndpoints.Stop),
        ("POST", "/containers/{id}/kill", ContainerEndpoints.Kill),
        ("POST", "/containers/{id}/restart", ContainerEndpoints.Restart),
        ("POST", "/containers/{id}/wait", ContainerEndpoints.Wait),
        ("DELETE", "/containers/{id}", ContainerEndpoints.Delete),
        ("GET", "/containers/{id}/logs", ContainerEndpoints.Logs),
        ("POST", "/containers/{id}/resize", ContainerEndpoints.Resize),
        ("GET", "/containers/{id}/archive", ContainerEndpoints.ArchiveGet),
        ("HEAD", "/containers/{id}/archive", ContainerEndpoints.ArchiveGet),
        ("PUT", "/containers/{id}/archive", ContainerEndpoints.ArchivePut),
        // hijacked before Kestrel (HijackedStreams) when they open a connection; here only when they come after
        // another request on a kept-alive connection, which no client does
        ("POST", "/containers/{id}/attach", NotFirst),
        ("POST", "/containers/{id}/exec", ExecEndpoints.Create),
        ("POST", "/exec/{id}/start", ExecEndpoints.StartDetached),
        ("GET", "/exec/{id}/json", ExecEndpoints.Inspect),
        ("POST", "/exec/{id}/resize", ExecEndpoints.Resize),

        ("GET", "/networks", NetworkEndpoints.List),
        ("POST", "/networks/create", NetworkEndpoints.Create),
        ("GET", "/networks/{id}", NetworkEndpoints.Inspect),
        ("DELETE", "/networks/{id}", NetworkEndpoints.Delete),
        ("POST", "/networks/{id}/connect", NetworkEndpoints.Connect),
        ("POST", "/networks/{id}/disconnect", NetworkEndpoints.Disconnect),

        // issue 17: the rest of the lifecycle, prune, and observation
        ("POST", "/containers/{id}/pause", ContainerLifecycleEndpoints.Pause),
        ("POST", "/containers/{id}/unpause", ContainerLifecycleEndpoints.Unpause),
        ("POST", "/containers/{id}/rename", ContainerLifecycleEndpoints.Rename),
        ("POST", "/containers/{id}/update", ContainerUpdate.Handle),
        ("POST", "/containers/prune", PruneEndpoints.Containers),
        ("POST", "/networks/prune", PruneEndpoints.Networks),
        ("POST", "/images/prune", PruneEndpoints.Images),
        ("POST", "/build/prune", PruneEndpoints.BuildCache),
        ("GET", "/containers/{id}/top", ContainerTop.Handle),
        ("GET", "/containers/{id}/changes", ContainerChangesEndpoint.Handle),
        ("GET", "/containers/{id}/stats", ContainerStats.Handle),
        ("GET", "/system/df", SystemDiskUsageEndpoint.Handle),
        ("GET", "/volumes", VolumeEndpoints.List),
        ("POST", "/volumes/create", VolumeEndpoints.Create),
        ("POST", "/volumes/prune", VolumeEndpoints.Prune),
        ("GET", "/volumes/{name}", VolumeEndpoints.Inspect),
        ("DELETE", "/volumes/{name}", VolumeEndpoints.Delete),
    ];

    /// <summary>Before serving: the Docker layer's records are reconciled with the compute systems (those whose system
    /// is gone are dropped, AutoRemove containers that exited meanwhile are removed, running ones watched).</summary>
    public static Task RecoverAsync(DockerServices services, CancellationToken cancellationToken) =>
        services.Containers.RecoverAsync(cancellationToken);

    /// <summary>Attach and exec start reached Kestrel: they were not the first request of their connection.</summary>
    private static Task NotFirst(DockerServices services, HttpContext ctx) =>
        throw DockerErrors.BadRequest("attach and exec start take over their connection: send them as the first request of a new connection");

    /// <summary>The Docker socket's transport for Kestrel: hijacked streams (attach, exec start) are served on
    /// their connections before Kestrel sees them (<see cref="DockerTransport"/>).</summary>
    public static Microsoft.AspNetCore.Connections.IConnectionListenerFactory Transport(DockerServices services) => new DockerTransport(services);

    /// <summary>"METHOD /pattern" of every route, for docs and tests.</summary>
    public static IEnumerable<string> Routes => Table.Select(r => $"{r.Method} {r.Pattern}");

    /// <summary>Sets up <paramref name="app"/>'s whole pipeline for the Docker API over <paramref name="services"/>.
    /// Call before the app starts; map nothing else on it.</summary>
    public static void Map(WebApplication app, DockerServices services)
    {
        DockerErrorMiddleware.Use(app, services, MaxRequestBodyBytes);
        VersionMiddleware.Use(app, services.Host);
        // explicitly after the version middleware: routing must see the path without its /vX.Y prefix
        app.UseRouting();
        foreach (var (method, pattern, handle) in Table)
            app.MapMethods(pattern, [method], ctx => handle(services, ctx));
        // every path and method (the default fallback pattern skips paths that look like files: "/x.y")
        app.MapFallback("{**path}", ctx => throw new CartonException(ErrorKind.NotFound, "page not found"));
    }

    /// <summary>The image name of /images/NAME[SUFFIX], to the handler of the suffix the path ends with (an empty
    /// suffix takes the whole rest); 404 "page not found" when none does.</summary>
    private static Task WithName(HttpContext ctx, params (string Suffix, Func<string, Task> Handle)[] routes)
    {
        var rest = (string?)ctx.Request.RouteValues["rest"] ?? "";
        foreach (var (suffix, handle) in routes)
        {
            if (suffix.Length > 0 && (!rest.EndsWith(suffix, StringComparison.Ordinal) || rest.Length == suffix.Length)) continue;
            var name = rest[..^suffix.Length];
            if (name.Length == 0) break;
            return handle(name);
        }
        throw new CartonException(ErrorKind.NotFound, "page not found");
    }
}
