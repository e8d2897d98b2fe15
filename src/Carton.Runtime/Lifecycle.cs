using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Stats;
using Carton.Linux.Interop;
using Carton.Oci;
using Carton.Linux.IO;
using Carton.Linux.Processes;

namespace Carton.Runtime;

/// <summary>
/// start, state, kill, delete and list over the state store (runtime.md "Operations"). Each command that
/// changes a container holds its directory lock.
/// </summary>
public sealed class Lifecycle
{
    public const string OciVersion = DefaultSpec.OciVersion;
    private readonly StateStore _store;
    private readonly Lazy<CgroupHost> _cgroups;

    /// <param name="store">the state directory.</param>
    /// <param name="cgroups">the host's cgroup layout; probed once, on first use, when not given.</param>
    public Lifecycle(StateStore store, CgroupHost? cgroups = null)
    {
        _store = store;
        _cgroups = cgroups is null ? new Lazy<CgroupHost>(() => CgroupHost.Probe()) : new Lazy<CgroupHost>(() => cgroups);
    }

    public StateStore Store => _store;

    /// <summary>Where non-fatal problems go (a failing poststart or poststop hook); stderr when not set. The CLI
    /// sends them to its log.</summary>
    public Action<string>? Warning { get; set; }

    private void Warn(string message)
    {
        if (Warning is { } w) w(message);
        else Console.Error.WriteLine("warning: " + message);
    }

    /// <summary>The host's cgroup layout, probed once for this instance (and shared with the creators and execs made from it).</summary>
    public CgroupHost Cgroups => _cgroups.Value;

    internal Lazy<CgroupHost> LazyCgroups => _cgroups;

    public string StatusOf(ContainerRecord r)
    {
        if (!ProcessInfo.IsAlive(r.Pid, r.PidStartTime)) return ContainerStatus.Stopped;
        if (r.Creating) return ContainerStatus.Creating;
        // A frozen container is paused whether or not it was started (runc reports a paused created one the same way).
        try
        {
            if (r.CgroupPaths.Count > 0)
            {
                var cg = CgroupManagerFactory.FromPaths(Cgroups, r.CgroupPaths);
                if (cg.GetFreezerState() == "FROZEN") return ContainerStatus.Paused;
            }
        }
        catch (CgroupException) { }
        if (File.Exists(_store.FifoOf(r.Id))) return ContainerStatus.Created;
        return ContainerStatus.Running;
    }

    public RuncStateOutput State(string id)
    {
        var r = _store.Load(id);
        return ToOutput(r);
    }

    private RuncStateOutput ToOutput(ContainerRecord r)
    {
        var status = StatusOf(r);
        return new RuncStateOutput
        {
            OciVersion = OciVersion, Id = r.Id, Pid = status == ContainerStatus.Stopped ? 0 : r.Pid, Status = status,
            Bundle = r.Bundle, Rootfs = r.Rootfs, Created = r.Created, Owner = r.Owner, Annotations = r.Spec.Annotations,
        };
    }

    public List<RuncStateOutput> List()
    {
        var list = new List<RuncStateOutput>();
        foreach (var id in _store.Ids())
        {
            try { list.Add(ToOutput(_store.Load(id))); }
            catch (RuntimeError) { /* a container deleted meanwhile is simply not listed */ }
        }
        return list;
    }

    public ContainerState HookState(ContainerRecord r, string status) => new()
    {
        OciVersion = r.Spec.OciVersion, Id = r.Id, Status = status, Pid = r.Pid, Bundle = r.Bundle, Annotations = r.Spec.Annotations,
    };

    public void Start(string id)
    {
        ContainerId.Validate(id);
        if (!_store.Exists(id)) throw new ContainerNotFoundError(id);
        ContainerRecord r;
        using (_store.Lock(id))
        {
            r = _store.Load(id);
            var status = StatusOf(r);
            if (status != ContainerStatus.Created)
                throw new RuntimeError($"cannot start container \"{id}\": it is {status}, not created");
            var fifo = _store.FifoOf(id);
            int fd = FileDescriptor.Open(fifo, OpenFlags.WriteOnly | OpenFlags.NonBlocking, $"cannot start container \"{id}\": open {fifo}");
            try
            {
                // The record is written before the init is released, not after: a write that fails (a full state
                // root) must fail a start that has not happened, not report an error for a container that runs.
                // Not fsync'd: the flag is informational (status comes from the FIFO and the init's liveness), and
                // an fsync on a disk-backed --root costs milliseconds on every start.
                r.Started = true;
                _store.Save(r, durable: false);
                try { FileDescriptor.WriteAll(fd, "0"u8, $"cannot start container \"{id}\": write {fifo}"); }
                catch
                {
                    r.Started = false;
                    try { _store.Save(r, durable: false); } catch (CartonException) { } catch (IOException) { }
                    throw;
                }
            }
            finally { FileDescriptor.Close(fd); }
            File.Delete(fifo);
        }
        // runtime.md "Lifecycle": poststart hooks run after the user's process started; a failing one is logged as a
        // warning, the hooks after it still run, and `start` succeeds with the container running.
        HookRunner.RunAllWarnOnError("poststart", r.Spec.Hooks?.Poststart, HookState(r, ContainerStatus.Running), Warn);
    }

    /// <summary>
    /// `kill`: signals the init (through a pidfd opened while its recorded start time still matched, so a pid reused
    /// by another process is never hit), or with <paramref name="all"/> every process of the container's cgroup.
    /// </summary>
    public void Kill(string id, int signal, bool all)
    {
        ContainerId.Validate(id);
        using (_store.Lock(id))
        {
            var r = _store.Load(id);
            var status = StatusOf(r);
            var operation = $"kill container \"{id}\" (pid {r.Pid}) with signal {signal}";
            using var init = ProcessInfo.OpenRecorded(r.Pid, r.PidStartTime, operation);
            if (init is null) status = ContainerStatus.Stopped;
            if (status == ContainerStatus.Stopped && !all)
                throw new RuntimeError($"cannot kill container \"{id}\": container not running");
            if (all && r.CgroupPaths.Count > 0)
            {
                SignalAllRecorded(r, CgroupManagerFactory.FromPaths(Cgroups, r.CgroupPaths), signal, status);
                return;
            }
            // --all without a cgroup (rootless without one): the init is all carton knows of, and a stopped container's
            // recorded pid is nobody's to signal.
            if (init is null) return;
            int err = init.TrySignal(signal);
            if (err == Errno.ESRCH)
            {
                if (all) return;
                throw new RuntimeError($"cannot kill container \"{id}\": container not running");
            }
            if (err != 0) throw new SyscallException(operation, err);
        }
    }

    public void Delete(string id, bool force)
    {
        ContainerId.Validate(id);
        IDisposable held;
        // runc: `delete --force` of a container that does not exist succeeds.
        try { held = _store.Lock(id); }
        catch (ContainerNotFoundError) when (force) { return; }
        ContainerRecord r;
        using (held)
        {
            if (!_store.Exists(id))
            {
                // A directory without state: a create that died before it wrote any (it held the lock until then).
                if (force) { _store.Remove(id); return; }
                throw new ContainerNotFoundError(id);
            }
            r = _store.Load(id);
            var status = StatusOf(r);
            if (status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Creating && !force)
                throw new RuntimeError($"cannot delete container \"{id}\" that is not stopped: {status}");
            ICgroupManager? cg = null;
            if (r.CgroupPaths.Count > 0)
            {
                try { cg = CgroupManagerFactory.FromPaths(Cgroups, r.CgroupPaths); }
                catch (CgroupException) { }
            }
            if (status != ContainerStatus.Stopped)
            {
                using (var init = ProcessInfo.OpenRecorded(r.Pid, r.PidStartTime, $"delete container \"{id}\": open pid {r.Pid}"))
                    init?.TrySignal(9);
                try { if (cg is not null) SignalAllRecorded(r, cg, 9, status); } catch (CgroupException) { }
                WaitGone(r);
            }
            cg?.Destroy();
            _store.Remove(id);
        }
        // runtime.md "Lifecycle": a failing poststop hook is logged as a warning; the rest still run, delete succeeds.
        HookRunner.RunAllWarnOnError("poststop", r.Spec.Hooks?.Poststop, HookState(r, ContainerStatus.Stopped), Warn);
    }

    /// <summary>
    /// Signals every process of <paramref name="r"/>'s cgroup and thaws a paused one (so that SIGKILL is delivered).
    /// The cgroup's SignalAll freezes the cgroup around its kills (a process forking in a loop cannot leave a child
    /// unsignalled); a carton or a daemon SIGKILLed between that freeze and its thaw would leave a container the user
    /// never paused frozen for good, reported "paused" (scripts/kill-daemon.sh found it, issue 15). So the freeze is
    /// recorded first (signalFreeze in state.json) and cleared after the thaw; <see cref="EndInterruptedSignal"/>
    /// thaws what a record still marks. A record that cannot be written (a full state root) does not stop the kill.
    /// The caller holds the container's lock.
    /// </summary>
    private void SignalAllRecorded(ContainerRecord r, ICgroupManager cg, int signal, string status)
    {
        var marked = status != ContainerStatus.Paused && TrySaveSignalFreeze(r, true);
        try
        {
            cg.SignalAll(signal);
            if (status == ContainerStatus.Paused) cg.Thaw();
        }
        finally
        {
            // (a mark left by an earlier interrupted kill goes too: its freeze was just thawed)
            if (marked || r.SignalFreeze) TrySaveSignalFreeze(r, false);
        }
    }

    private bool TrySaveSignalFreeze(ContainerRecord r, bool value)
    {
        var before = r.SignalFreeze;
        r.SignalFreeze = value;
        try
        {
            _store.Save(r, durable: false);
            return true;
        }
        catch (Exception e) when (e is CartonException or IOException)
        {
            r.SignalFreeze = before;
            return false;
        }
    }

    /// <summary>
    /// Ends a signalling freeze that its carton or daemon did not live to end (<see cref="SignalAllRecorded"/>): thaws
    /// the cgroup if it is still frozen (a SIGKILL sent meanwhile is delivered then) and clears the mark. Returns
    /// whether the record had one. The caller holds the container's lock.
    /// </summary>
    private bool EndInterruptedSignal(ContainerRecord r)
    {
        if (!r.SignalFreeze) return false;
        if (r.CgroupPaths.Count > 0)
        {
            try
            {
                var cg = CgroupManagerFactory.FromPaths(Cgroups, r.CgroupPaths);
                if (cg.GetFreezerState() is FreezerState.Frozen or FreezerState.Freezing) cg.Thaw();
            }
            catch (CgroupException e) { Warn($"container \"{r.Id}\": thaw after an interrupted kill: {e.Message}"); }
        }
        TrySaveSignalFreeze(r, false);
        return true;
    }

    /// <summary>
    /// What a daemon calls for each container when it starts: if a `kill --all` or `delete --force` was interrupted
    /// between its freeze and its thaw (its process SIGKILLed), thaws the container, which its user never paused.
    /// Returns whether there was such a freeze to end.
    /// </summary>
    public bool RecoverInterruptedSignal(string id)
    {
        ContainerId.Validate(id);
        if (!_store.Exists(id)) return false;
        using (_store.Lock(id))
        {
            if (!_store.Exists(id)) return false;
            return EndInterruptedSignal(_store.Load(id));
        }
    }

    private ICgroupManager CgroupOf(ContainerRecord r)
    {
        if (r.CgroupPaths.Count == 0) throw new RuntimeError($"container \"{r.Id}\" has no cgroup");
        return CgroupManagerFactory.FromPaths(Cgroups, r.CgroupPaths);
    }

    /// <summary>`pause`: freezes every process of the container (v1 freezer.state, v2 cgroup.freeze).</summary>
    public void Pause(string id)
    {
        ContainerId.Validate(id);
        if (!_store.Exists(id)) throw new ContainerNotFoundError(id);
        using (_store.Lock(id))
        {
            var r = _store.Load(id);
            // a freeze left by an interrupted kill is not a pause, and its mark must not outlive this one
            EndInterruptedSignal(r);
            var status = StatusOf(r);
            if (status != ContainerStatus.Running && status != ContainerStatus.Created)
                throw new RuntimeError($"cannot pause container \"{id}\": container not running ({status})");
            CgroupOf(r).Freeze();
        }
    }

    /// <summary>`resume`: thaws a paused container.</summary>
    public void Resume(string id)
    {
        ContainerId.Validate(id);
        if (!_store.Exists(id)) throw new ContainerNotFoundError(id);
        using (_store.Lock(id))
        {
            var r = _store.Load(id);
            // frozen by an interrupted kill, it is reported paused: resuming it is ending that freeze
            if (EndInterruptedSignal(r) && StatusOf(r) != ContainerStatus.Paused) return;
            var status = StatusOf(r);
            if (status != ContainerStatus.Paused)
                throw new RuntimeError($"cannot resume container \"{id}\": container not paused ({status})");
            CgroupOf(r).Thaw();
        }
    }

    /// <summary>`update`: applies new linux.resources to a live container and records them in its state.</summary>
    public IReadOnlyList<string> Update(string id, Func<LinuxResources, LinuxResources> change)
    {
        ContainerId.Validate(id);
        if (!_store.Exists(id)) throw new ContainerNotFoundError(id);
        using (_store.Lock(id))
        {
            var r = _store.Load(id);
            if (StatusOf(r) == ContainerStatus.Stopped)
                throw new RuntimeError($"cannot update container \"{id}\": container not running");
            var current = System.Text.Json.JsonSerializer.Deserialize(
                System.Text.Json.JsonSerializer.Serialize(r.Spec.Linux?.Resources ?? new LinuxResources(), OciJsonContext.Compact.LinuxResources),
                OciJsonContext.Compact.LinuxResources)!;
            var updated = change(current);
            var cgroup = CgroupOf(r);
            // The record first, then the kernel: a state root that cannot take the record (full) fails the update
            // before any limit changed. Putting the old limits back after the fact cannot work, since an update's
            // absent fields mean "unchanged" and the old record may have no value to restore.
            var previous = r.Spec.Linux?.Resources;
            (r.Spec.Linux ??= new LinuxSpec()).Resources = updated;
            _store.Save(r);
            IReadOnlyList<string> warnings;
            try { warnings = cgroup.ApplyResources(ResourcePlan.WithDefaultDevices(updated, r.Spec)); }
            catch (CartonException)
            {
                r.Spec.Linux.Resources = previous;
                try { _store.Save(r); } catch (CartonException) { }
                throw;
            }
            return warnings;
        }
    }

    /// <summary>Statistics of a live container's cgroup, in the shape of runc's `events --stats`.</summary>
    public CgroupStats Stats(string id)
    {
        var r = _store.Load(id);
        if (StatusOf(r) == ContainerStatus.Stopped) throw new RuntimeError($"container \"{id}\" is not running");
        return CgroupStatsReader.Read(Cgroups, r.CgroupPaths);
    }

    /// <summary>A watcher of OOM kills in a container's memory cgroup.</summary>
    public CgroupOomWatcher WatchOom(string id)
    {
        var r = _store.Load(id);
        if (StatusOf(r) == ContainerStatus.Stopped) throw new RuntimeError($"container \"{id}\" is not running");
        return CgroupOomWatcher.Open(Cgroups, r.CgroupPaths);
    }

    public bool IsStopped(string id) => !_store.Exists(id) || StatusOf(_store.Load(id)) == ContainerStatus.Stopped;

    /// <summary>The pids (host namespace) of every process in the container's cgroup.</summary>
    public IReadOnlyList<int> Pids(string id)
    {
        var r = _store.Load(id);
        if (StatusOf(r) == ContainerStatus.Stopped) return [];
        return CgroupOf(r).GetPids();
    }

    private static void WaitGone(ContainerRecord r)
    {
        for (int i = 0; i < 500 && ProcessInfo.IsAlive(r.Pid, r.PidStartTime); i++)
        {
            ChildProcess.Poll(r.Pid, out _); // reaps it when it is our child (foreground run)
            Thread.Sleep(i < 20 ? 1 : 10);
        }
    }
}
