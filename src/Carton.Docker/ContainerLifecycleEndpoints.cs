using Carton.Compute;

namespace Carton.Docker;

/// <summary>The rest of a container's lifecycle: POST /containers/{id}/pause, /unpause and /rename (update is
/// <see cref="ContainerUpdate"/>). Statuses and messages are dockerd's (daemon/pause.go, unpause.go, rename.go).</summary>
internal static class ContainerLifecycleEndpoints
{
    /// <summary>POST /containers/{id}/pause: the cgroup freezer over every process of the container.</summary>
    public static Task Pause(DockerServices services, HttpContext ctx) =>
        UnderLockAsync(services, ctx, "pause", async (record, system, state) =>
        {
            if (state == "paused") throw DockerErrors.Conflict($"Container {record.Id} is already paused");
            if (state != "running") throw DockerErrors.NotRunning(record.Id);
            try { await system.PauseAsync(CancellationToken.None); }
            catch (InvalidComputeSystemStateException) { throw DockerErrors.NotRunning(record.Id); }
        });

    /// <summary>POST /containers/{id}/unpause: thaws a paused container.</summary>
    public static Task Unpause(DockerServices services, HttpContext ctx) =>
        UnderLockAsync(services, ctx, "unpause", async (record, system, state) =>
        {
            if (state != "paused") throw DockerErrors.Conflict($"Container {record.Id} is not paused");
            try { await system.ResumeAsync(CancellationToken.None); }
            catch (InvalidComputeSystemStateException) { throw DockerErrors.Conflict($"Container {record.Id} is not paused"); }
        });

    /// <summary>Pause and unpause: <paramref name="act"/> on the container's system and its state, under the
    /// container's lock; then the event and 204.</summary>
    private static async Task UnderLockAsync(DockerServices services, HttpContext ctx, string action,
        Func<Models.ContainerRecord, IComputeSystem, string, Task> act)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(ContainerEndpoints.Id(ctx));
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try
        {
            await using var system = await containers.SystemAsync(record, ctx.RequestAborted);
            var state = (await system.GetPropertiesAsync(ctx.RequestAborted)).Summary.State;
            await act(record, system, state);
        }
        finally { gate.Release(); }
        services.Events.Container(record, action);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// POST /containers/{id}/rename?name=NEW: dockerd's rules (a valid name, not empty, not the current one; 409 when
    /// another container has it). The name index and the record change; the DNS aliases the container's network
    /// endpoints were made with keep the old name until it reconnects (docs/docker-api.md).
    /// </summary>
    public static async Task Rename(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(ContainerEndpoints.Id(ctx));
        var requested = Query.String(ctx, "name");
        if (string.IsNullOrEmpty(requested)) throw DockerErrors.BadRequest("Neither old nor new names may be empty", "name");
        var newName = ContainerNames.Normalize(requested);
        var oldName = record.Name;
        if (newName == oldName) throw DockerErrors.BadRequest("Renaming a container with the same name as its current name", "name");
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try { containers.Store.Rename(record, newName); }
        finally { gate.Release(); }
        services.Events.Container(record, "rename", ("oldName", oldName));
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
