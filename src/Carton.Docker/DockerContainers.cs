using System.Collections.Concurrent;
using Carton.Compute;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// Docker's containers over the compute service: a container is the compute system of the same id, plus the Docker
/// record (<see cref="ContainerStore"/>). This class holds what is shared between requests: the store, the watch
/// on each started container (exit → waiters, AutoRemove), and the per-container lock that orders operations.
/// </summary>
internal sealed class DockerContainers
{
    private readonly DockerServices _services;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _removed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _watches = new(StringComparer.Ordinal);

    public DockerContainers(DockerServices services)
    {
        _services = services;
        Store = new ContainerStore(services.StateRoot);
    }

    public ContainerStore Store { get; }

    private IComputeService Compute => _services.Compute;

    /// <summary>At start: records whose system is gone (deleted behind Docker's back, or lost with /run at a reboot)
    /// are dropped; AutoRemove containers that exited while no daemon watched are removed; running ones are watched.</summary>
    public async Task RecoverAsync(CancellationToken ct)
    {
        var systems = new Dictionary<string, ComputeSystemSummary>(StringComparer.Ordinal);
        await foreach (var s in Compute.EnumerateComputeSystemsAsync(null, ct)) systems[s.Id] = s;
        foreach (var record in Store.All)
        {
            if (!systems.TryGetValue(record.Id, out var summary))
            {
                _services.Log?.Invoke("warning", "a Docker container's compute system is gone: its record is dropped", w => w.WriteString("id", record.Id));
                Store.Remove(record);
                if (_services.VolumesRoot is not null) _services.Volumes.Release(record, removeAnonymous: false);
                continue;
            }
            if (summary.State == "stopped" && record.HostConfig.AutoRemove) await RemoveAsync(record, force: true, ct, removeVolumes: true);
            else if (summary.State is "running" or "paused") Watch(record);
        }
        // the volumes' store at once: references from the records left, and creates cut short by a crash cleared
        if (_services.VolumesRoot is not null) _ = _services.Volumes;
    }

    /// <summary>The container started: dockerd's "mount" event for each of its volumes (daemon/volumes_unix.go).</summary>
    public void VolumesMounted(ContainerRecord record)
    {
        foreach (var v in record.Volumes)
            _services.Events.Publish("volume", "mount", v.Name, new Dictionary<string, string>
            {
                ["driver"] = "local", ["container"] = record.Id, ["destination"] = v.Destination,
                ["read/write"] = v.RW ? "true" : "false", ["propagation"] = "",
            });
    }

    public SemaphoreSlim LockOf(string id) => _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));

    /// <summary>Completes when the container is removed (wait?condition=removed).</summary>
    public Task Removed(string id) => _removed.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async Task<IComputeSystem> SystemAsync(ContainerRecord record, CancellationToken ct)
    {
        try { return await Compute.OpenComputeSystemAsync(record.Id, ct); }
        catch (ComputeSystemNotFoundException) { throw DockerErrors.NoSuchContainer(record.Id); }
    }

    public async Task<ComputeSystemProperties> PropertiesAsync(ContainerRecord record, CancellationToken ct)
    {
        await using var system = await SystemAsync(record, ct);
        return await system.GetPropertiesAsync(ct);
    }

    /// <summary>
    /// For following a container's log: true while its monitor may still append to it. The init's exit is not the
    /// end: the monitor drains the output and only then records the exit status (the summary's Finished), so a
    /// follower stops once Finished is there, or 3 s after the exit when it never comes (a monitor that was killed).
    /// </summary>
    public Func<Task<bool>> LogStillWritten(ContainerRecord record)
    {
        DateTime? stoppedSince = null;
        return async () =>
        {
            ComputeSystemSummary s;
            try { s = (await PropertiesAsync(record, CancellationToken.None)).Summary; }
            catch (CartonException) { return false; }
            if (s.State != "stopped") return true;
            if (s.Finished is not null) return false;
            stoppedSince ??= DateTime.UtcNow;
            return DateTime.UtcNow - stoppedSince < TimeSpan.FromSeconds(3);
        };
    }

    /// <summary>Watches a started container: when its init exits, an AutoRemove container is removed.</summary>
    public void Watch(ContainerRecord record)
    {
        if (_watches.ContainsKey(record.Id)) return;
        var task = Task.Run(async () =>
        {
            try
            {
                await using var system = await Compute.OpenComputeSystemAsync(record.Id);
                await system.WaitForExitAsync();
                // dockerd's "unmount" at the container's cleanup after it stops (container.UnmountVolumes)
                foreach (var v in record.Volumes)
                    _services.Events.Publish("volume", "unmount", v.Name, new Dictionary<string, string> { ["driver"] = "local", ["container"] = record.Id });
                if (record.HostConfig.AutoRemove && Store.TryFind(record.Id) is { } current)
                    await RemoveAsync(current, force: true, CancellationToken.None, removeVolumes: true);
            }
            catch (Exception e) when (e is ComputeException or CartonException or IOException)
            {
                _services.Log?.Invoke("warning", "watching a Docker container failed", w =>
                {
                    w.WriteString("id", record.Id);
                    w.WriteString("error", e.Message);
                });
            }
            finally { _watches.TryRemove(record.Id, out _); }
        });
        _watches[record.Id] = task;
    }

    /// <summary>Removes the system and the record (and log); <paramref name="force"/> kills a running one first. Its
    /// volume references go; with <paramref name="removeVolumes"/> (?v=1, AutoRemove) its anonymous volumes too.</summary>
    public async Task RemoveAsync(ContainerRecord record, bool force, CancellationToken ct, bool removeVolumes = false)
    {
        var gate = LockOf(record.Id);
        await gate.WaitAsync(ct);
        try
        {
            if (Store.TryFind(record.Id) is null) return;
            try
            {
                await using var system = await Compute.OpenComputeSystemAsync(record.Id, ct);
                var state = (await system.GetPropertiesAsync(ct)).Summary.State;
                if (state is "running" or "paused" && !force)
                    throw DockerErrors.Conflict($"cannot remove container \"{record.Name}\": container is {state}: stop the container before removing or force remove");
                await NetworkEndpoints.DisconnectAllAsync(_services, record);
                await system.DeleteAsync(ct);
            }
            catch (ComputeSystemNotFoundException) { }
            Store.Remove(record);
            if (_services.VolumesRoot is not null) _services.Volumes.Release(record, removeVolumes);
            _services.Execs.ForgetContainer(record.Id);
            _removed.GetOrAdd(record.Id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        finally { gate.Release(); }
        // let later waiters for this id (none will come: ids are not reused) not pile up
        _ = Task.Delay(TimeSpan.FromMinutes(1)).ContinueWith(_ => { _removed.TryRemove(record.Id, out TaskCompletionSource? _); _locks.TryRemove(record.Id, out SemaphoreSlim? _); }, TaskScheduler.Default);
    }
}
