using System.Collections.Concurrent;
using System.Globalization;
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
    /// <summary>The current watch of each started container (a newer one replaces it: the older then does nothing more).</summary>
    private readonly ConcurrentDictionary<string, object> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RestartManager> _restartManagers = new(StringComparer.Ordinal);
    /// <summary>Containers waiting out their restart policy's backoff (Docker's "restarting" state).</summary>
    private readonly ConcurrentDictionary<string, bool> _restarting = new(StringComparer.Ordinal);
    /// <summary>The healthcheck state of containers that have one (in memory, as dockerd keeps it between checkpoints).</summary>
    private readonly ConcurrentDictionary<string, ContainerHealth> _health = new(StringComparer.Ordinal);
    /// <summary>Starts under way (<see cref="StartSystemAsync"/>).</summary>
    private readonly ConcurrentDictionary<string, Task> _starting = new(StringComparer.Ordinal);

    public DockerContainers(DockerServices services)
    {
        _services = services;
        Store = new ContainerStore(services.StateRoot);
    }

    public ContainerStore Store { get; }

    private IComputeService Compute => _services.Compute;

    /// <summary>At start: records whose system is gone (deleted behind Docker's back, or lost with /run at a reboot)
    /// are dropped; running ones are watched; stopped ones that their restart policy brings back are started again
    /// (dockerd's restore: a new restart manager decides, on the exit code the system's monitor recorded while no
    /// daemon ran — always, unless-stopped when no client stopped it, on-failure after a failure within its count);
    /// AutoRemove containers that exited while no daemon watched are removed.</summary>
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
            // "stopped" is a system that has run (a created one never has: dockerd's HasBeenStartedBefore)
            if (summary.State == "stopped" && RestartManager.Restarts(record.HostConfig.RestartPolicy, record.RestartCount, summary.ExitCode ?? -1, record.HasBeenManuallyStopped))
                await StartAgainAsync(record, ct);
            else if (summary.State == "stopped" && record.HostConfig.AutoRemove) await RemoveAsync(record, force: true, ct, removeVolumes: true);
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

    /// <summary>A start by the daemon at its own start (dockerd's containerStart with a reset restart manager).</summary>
    private async Task StartAgainAsync(ContainerRecord record, CancellationToken ct)
    {
        try
        {
            await using var system = await Compute.OpenComputeSystemAsync(record.Id, ct);
            ResetForStart(record);
            await StartSystemAsync(system, record.Id);
            VolumesMounted(record);
            await ContainerUpdate.ApplyPendingAsync(_services, record, system);
            _services.Events.Container(record, "start");
            Watch(record);
        }
        catch (Exception e) when (e is ComputeException or CartonException or IOException)
        {
            _services.Log?.Invoke("warning", "restarting a Docker container at the daemon's start failed", w =>
            {
                w.WriteString("id", record.Id);
                w.WriteString("error", e.Message);
            });
        }
    }

    /// <summary>A client's start (or the daemon's at its own start): a new restart manager (a pending restart is
    /// cancelled), the count back to 0, and no longer stopped by a client (dockerd's ResetRestartManager(true)).</summary>
    public void ResetForStart(ContainerRecord record)
    {
        if (_restartManagers.TryRemove(record.Id, out var old)) old.Cancel();
        _restarting.TryRemove(record.Id, out _);
        record.RestartCount = 0;
        record.HasBeenManuallyStopped = false;
        Store.Save(record);
    }

    /// <summary>A client's stop or kill: the container stays down (dockerd's HasBeenManuallyStopped, and ExitOnNext
    /// when <paramref name="cancelRestart"/>). True when it was waiting to be restarted (the pending restart is off).</summary>
    public bool StoppedByClient(ContainerRecord record, bool cancelRestart)
    {
        record.HasBeenManuallyStopped = true;
        Store.Save(record);
        if (cancelRestart) RestartManagerOf(record.Id).Cancel();
        return cancelRestart && _restarting.TryRemove(record.Id, out _);
    }

    /// <summary>True while the container waits out its restart backoff (Docker's "restarting").</summary>
    public bool IsRestarting(string id) => _restarting.ContainsKey(id);

    /// <summary>The healthcheck's state, or null when the container has none (or has not run one since the daemon started).</summary>
    public ContainerHealth? HealthOf(string id)
    {
        if (!_health.TryGetValue(id, out var h)) return null;
        lock (h) return new ContainerHealth { Status = h.Status, FailingStreak = h.FailingStreak, Log = [.. h.Log] };
    }

    private RestartManager RestartManagerOf(string id) => _restartManagers.GetOrAdd(id, _ => new RestartManager());

    public SemaphoreSlim LockOf(string id) => _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));

    /// <summary>Completes when the container is removed (wait?condition=removed).</summary>
    public Task Removed(string id) => _removed.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async Task<IComputeSystem> SystemAsync(ContainerRecord record, CancellationToken ct)
    {
        try { return await Compute.OpenComputeSystemAsync(record.Id, ct); }
        catch (ComputeSystemNotFoundException) when (Store.TryFind(record.Id) is not null)
        {
            await AfterStartAsync(record, ct);
            try { return await Compute.OpenComputeSystemAsync(record.Id, ct); }
            catch (ComputeSystemNotFoundException) { throw DockerErrors.NoSuchContainer(record.Id); }
        }
        catch (ComputeSystemNotFoundException) { throw DockerErrors.NoSuchContainer(record.Id); }
    }

    public async Task<ComputeSystemProperties> PropertiesAsync(ContainerRecord record, CancellationToken ct)
    {
        try
        {
            await using var system = await SystemAsync(record, ct);
            return await system.GetPropertiesAsync(ct);
        }
        catch (ComputeSystemNotFoundException) when (Store.TryFind(record.Id) is not null)
        {
            await AfterStartAsync(record, ct);
            try
            {
                await using var system = await Compute.OpenComputeSystemAsync(record.Id, ct);
                return await system.GetPropertiesAsync(ct);
            }
            catch (ComputeSystemNotFoundException) { throw DockerErrors.NoSuchContainer(record.Id); }
        }
    }

    /// <summary>Starts the container's system (every start of the Docker layer goes through here).</summary>
    public async Task StartSystemAsync(IComputeSystem system, string id)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _starting[id] = done.Task;
        try { await system.StartAsync(CancellationToken.None); }
        finally
        {
            _starting.TryRemove(new KeyValuePair<string, Task>(id, done.Task));
            done.TrySetResult();
        }
    }

    /// <summary>Waits for a start under way. A stopped system's start recreates its runtime container
    /// (IComputeSystem.StartAsync), and for that moment the compute service does not find it: a restart policy at work
    /// makes that moment frequent, and an inspect then must not be a 404.</summary>
    private async Task AfterStartAsync(ContainerRecord record, CancellationToken ct)
    {
        if (_starting.TryGetValue(record.Id, out var start)) await start.WaitAsync(ct);
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

    /// <summary>Watches a started container until its init exits: meanwhile its healthcheck runs; then the die
    /// event, and the restart policy (dockerd's handleContainerExit): started again after the backoff (RestartCount
    /// up, a start event), or left stopped (an AutoRemove container removed).</summary>
    public void Watch(ContainerRecord record)
    {
        var token = new object();
        _watches[record.Id] = token;
        // State.Health is "starting" from the moment the start is answered, as dockerd's: the watch below opens the
        // system before its first probe, and an inspect right after the start (docker-py's, in CI) must not find
        // no Health meanwhile
        var health = HealthMonitor.ProbeCommand(record.Config.Healthcheck) is null ? null : new ContainerHealth();
        if (health is not null) _health[record.Id] = health;
        _ = Task.Run(() => WatchAsync(record, token, health));
    }

    private bool Current(string id, object token) => _watches.TryGetValue(id, out var t) && ReferenceEquals(t, token);

    private async Task WatchAsync(ContainerRecord record, object token, ContainerHealth? firstHealth)
    {
        try
        {
            while (true)
            {
                // the manager of this run: a client's start replaces it, and this watch then acts no more
                var manager = RestartManagerOf(record.Id);
                int code;
                ComputeSystemSummary? summary;
                await using (var system = await Compute.OpenComputeSystemAsync(record.Id))
                {
                    var started = (await system.GetPropertiesAsync()).Summary.Started ?? DateTime.UtcNow;
                    using var stopHealth = new CancellationTokenSource();
                    var health = RunHealthcheck(record, started, stopHealth.Token, firstHealth);
                    firstHealth = null;
                    try { code = await system.WaitForExitAsync(); }
                    finally
                    {
                        await stopHealth.CancelAsync();
                        await health;
                    }
                    // a client that saw the exit may remove the container before this reads it: the exit stands
                    try { summary = (await system.GetPropertiesAsync()).Summary; }
                    catch (ComputeSystemNotFoundException) { summary = null; }
                }
                // The die event is the exit's, whoever acts on it next: a client's removal or start may have taken
                // the container over meanwhile (then only this watch's policy and clean-up stop), but dockerd reports
                // every exit (docker-py saw create, start, destroy without the die in between).
                bool current = Current(record.Id, token);
                if (code < 0 && summary?.ExitCode is { } recorded) code = recorded;
                var ran = summary is null ? TimeSpan.Zero : (summary.Finished ?? DateTime.UtcNow) - (summary.Started ?? summary.Created);
                var delay = current ? manager.ShouldRestart(record.HostConfig.RestartPolicy, record.RestartCount, code, record.HasBeenManuallyStopped, ran) : null;
                if (delay is not null)
                {
                    // "restarting" before the count goes up: no reader sees the new count on an exited container
                    _restarting[record.Id] = true;
                    record.RestartCount++;
                    Store.Save(record);
                }
                _services.Events.Container(record, "die", ("exitCode", code.ToString(CultureInfo.InvariantCulture)),
                    ("execDuration", ((long)ran.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
                // dockerd's "unmount" at the container's cleanup after it stops (container.UnmountVolumes)
                foreach (var v in record.Volumes)
                    _services.Events.Publish("volume", "unmount", v.Name, new Dictionary<string, string> { ["driver"] = "local", ["container"] = record.Id });
                if (!current) return;
                if (delay is null)
                {
                    if (record.HostConfig.AutoRemove && Store.TryFind(record.Id) is { } stored)
                        await AutoRemoveAsync(stored);
                    return;
                }
                if (!await RestartAfterAsync(record, token, manager, delay.Value)) return;
            }
        }
        catch (Exception e) when (e is ComputeException or CartonException or IOException)
        {
            _services.Log?.Invoke("warning", "watching a Docker container failed", w =>
            {
                w.WriteString("id", record.Id);
                w.WriteString("error", e.Message);
            });
        }
        finally
        {
            _watches.TryRemove(new KeyValuePair<string, object>(record.Id, token));
        }
    }

    /// <summary>An AutoRemove container's removal after its exit. When it fails, waiters for the removal get the error
    /// (as dockerd answers `wait?condition=removed`) instead of waiting for ever: `docker run --rm` hung so once.</summary>
    private async Task AutoRemoveAsync(ContainerRecord record)
    {
        try { await RemoveAsync(record, force: true, CancellationToken.None, removeVolumes: true); }
        catch (Exception e) when (e is ComputeException or CartonException or IOException)
        {
            _removed.GetOrAdd(record.Id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetException(e);
            throw;
        }
    }

    /// <summary>The restart after the backoff, unless a client stopped, started or removed the container meanwhile.</summary>
    private async Task<bool> RestartAfterAsync(ContainerRecord record, object token, RestartManager manager, TimeSpan delay)
    {
        try { await Task.Delay(delay, manager.Canceled); }
        catch (OperationCanceledException) { return false; }
        var gate = LockOf(record.Id);
        await gate.WaitAsync();
        try
        {
            if (manager.Canceled.IsCancellationRequested || !Current(record.Id, token) || Store.TryFind(record.Id) is null) return false;
            _restarting.TryRemove(record.Id, out _);
            await using var system = await Compute.OpenComputeSystemAsync(record.Id);
            if ((await system.GetPropertiesAsync()).Summary.State != "stopped") return false;
            await StartSystemAsync(system, record.Id);
            VolumesMounted(record);
            await ContainerUpdate.ApplyPendingAsync(_services, record, system);
            _services.Events.Container(record, "start");
            return true;
        }
        catch (Exception e) when (e is ComputeException or CartonException or IOException)
        {
            _restarting.TryRemove(record.Id, out _);
            _services.Log?.Invoke("warning", "restarting a Docker container by its restart policy failed", w =>
            {
                w.WriteString("id", record.Id);
                w.WriteString("error", e.Message);
            });
            return false;
        }
        finally { gate.Release(); }
    }

    /// <summary>The healthcheck of one run (from a start to the init's exit), its state reset to "starting" as dockerd's
    /// initHealthMonitor does (the first run's state is the one <see cref="Watch"/> made at the start); nothing when
    /// the container has none.</summary>
    private Task RunHealthcheck(ContainerRecord record, DateTime started, CancellationToken stop, ContainerHealth? made)
    {
        if (HealthMonitor.ProbeCommand(record.Config.Healthcheck) is null) return Task.CompletedTask;
        var health = made ?? new ContainerHealth();
        _health[record.Id] = health;
        return Task.Run(async () =>
        {
            try { await HealthMonitor.RunAsync(_services, record, health, started, stop); }
            catch (Exception e) when (e is ComputeException or CartonException or IOException or InvalidOperationException)
            {
                _services.Log?.Invoke("warning", "a Docker container's healthcheck failed", w =>
                {
                    w.WriteString("id", record.Id);
                    w.WriteString("error", e.Message);
                });
            }
        }, CancellationToken.None);
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
            if (_restartManagers.TryRemove(record.Id, out var manager)) manager.Cancel();
            _restarting.TryRemove(record.Id, out _);
            _health.TryRemove(record.Id, out _);
            if (_services.VolumesRoot is not null) _services.Volumes.Release(record, removeVolumes);
            _services.Execs.ForgetContainer(record.Id);
            _services.Events.Container(record, "destroy");
            _removed.GetOrAdd(record.Id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        finally { gate.Release(); }
        // let later waiters for this id (none will come: ids are not reused) not pile up
        _ = Task.Delay(TimeSpan.FromMinutes(1)).ContinueWith(_ => { _removed.TryRemove(record.Id, out TaskCompletionSource? _); _locks.TryRemove(record.Id, out SemaphoreSlim? _); }, TaskScheduler.Default);
    }
}
