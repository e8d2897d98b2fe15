using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>GET /containers/{id}/changes: what the container changed in its root file system, from its snapshot's
/// upper layer (<see cref="IContainerStorage.Changes"/>); running or not, as dockerd.</summary>
internal static class ContainerChangesEndpoint
{
    public static async Task Handle(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(ContainerEndpoints.Id(ctx));
        var storage = services.Storage ?? throw DockerErrors.NotYet("a container's file system changes (GET /containers/{id}/changes)");
        // the system must still exist (404 otherwise), as for every container route
        _ = await services.Containers.PropertiesAsync(record, ctx.RequestAborted);
        var changes = storage.Changes(record.Id)
            ?? throw DockerErrors.Conflict($"container {record.Id} has no writable layer the daemon can read");
        await DockerJson.WriteAsync(ctx, changes.ToList(), DockerJsonContext.Wire.ListContainerChange);
    }
}
