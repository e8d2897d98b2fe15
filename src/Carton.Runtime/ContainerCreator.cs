using System.Globalization;
using Carton.Linux;
using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Stats;
using Carton.Linux.Interop;
using Carton.Linux.Spawn;
using Carton.Oci;
using Carton.Linux.IO;
using Carton.Linux.Processes;

namespace Carton.Runtime;

/// <summary>
/// `create` from the runtime's side: validate, reserve the id, make the cgroup, spawn the init into new namespaces
/// through the native helper, place it in its cgroup, hand it the config, run prestart/createRuntime hooks when it
/// asks, and record the state once it reports ready. On any failure everything made so far is undone: the init is
/// killed and reaped, the cgroup removed, the state directory deleted.
/// </summary>
public sealed class ContainerCreator
{
    private readonly StateStore _store;
    private readonly Lazy<CgroupHost> _cgroups;

    /// <param name="store">the state directory.</param>
    /// <param name="cgroups">the host's cgroup layout; probed on first use when not given.</param>
    public ContainerCreator(StateStore store, CgroupHost? cgroups = null)
    {
        _store = store;
        _cgroups = cgroups is null ? new Lazy<CgroupHost>(() => CgroupHost.Probe()) : new Lazy<CgroupHost>(() => cgroups);
    }

    /// <summary>A creator over <paramref name="life"/>'s state store and cgroup layout (probed once for both).</summary>
    public ContainerCreator(Lifecycle life)
    {
        _store = life.Store;
        _cgroups = life.LazyCgroups;
    }

    /// <summary>Limits the host could not apply exactly (a missing controller file, a deprecated field), for the caller to report.</summary>
    public List<string> Warnings { get; } = [];

    public ContainerRecord Create(CreateOptions options)
    {
        ContainerId.Validate(options.Id);
        var bundle = Path.GetFullPath(options.Bundle);
        Spec spec;
        if (options.Spec is { } given)
        {
            if (!options.SpecValidated)
            {
                try { SpecLoader.ThrowIfInvalid(given, bundle); }
                catch (SpecException e) { throw new RuntimeError(e.Message, e); }
            }
            spec = given;
        }
        else
        {
            var configPath = Path.Combine(bundle, "config.json");
            if (!File.Exists(configPath))
                throw new RuntimeError($"bundle {bundle}: config.json not found");
            try { spec = SpecLoader.Load(configPath); }
            catch (SpecException e) { throw new RuntimeError(e.Message, e); }
        }
        var rootfs = spec.Root!.Path!;
        rootfs = Path.GetFullPath(rootfs.StartsWith('/') ? rootfs : Path.Combine(bundle, rootfs));
        bool terminal = spec.Process?.Terminal == true;
        if (terminal && options.ConsoleSocket is null && options.ConsoleSocketFd < 0)
            throw new RuntimeError("process.terminal is true: cannot allocate a tty without --console-socket when carton detaches");
        if (!terminal && options.ConsoleSocket is not null)
            throw new RuntimeError("--console-socket given but process.terminal is false");
        // No mount namespace is allowed (the init then mounts nothing and chroots); SpecValidator refuses what
        // would need a mount.
        var namespaces = spec.Linux?.Namespaces ?? [];

        // AppArmor/SELinux decided before anything exists: a label the host cannot apply leaves nothing behind.
        var lsm = LsmPlan.Compute(spec.Process, spec.Linux?.MountLabel, Linux.Security.LsmHostFacts.Probe(), exec: false);

        // Compiled (or taken from the cache) before anything exists: a bad profile leaves nothing behind.
        var seccomp = spec.Linux?.Seccomp is { } profile ? SeccompPlan.Compile(profile, _store.Root) : (Program: (string?)null, NeedsListener: false);

        FaultPoints.Reach(FaultPoints.CreateAfterSpec);
        // The id's lock is held until create returns: a kill, exec or delete of the id waits for the container to be
        // whole, or gone.
        using var reservation = _store.Reserve(options.Id);
        FaultPoints.Reach(FaultPoints.CreateAfterReserve);
        var cleanup = new Stack<Action>();
        cleanup.Push(() => _store.Remove(options.Id));
        int pid = 0;
        try
        {
            var host = _cgroups.Value;
            ICgroupManager cgroup = CgroupManagerFactory.Create(host, spec.Linux?.CgroupsPath, options.Id);
            // The cgroup paths are recorded before any of their directories exists: a create killed from here on
            // (SIGKILL, OOM) leaves a state.json from which `delete --force` removes them. Saved after the mkdirs, as
            // before, a kill in between left the directories in every hierarchy with no record of them (issue 15:
            // 4 containers in 30 creates SIGKILLed at random moments, scripts/kill-create.sh, docs/reliability.md).
            var record = new ContainerRecord
            {
                Id = options.Id, Bundle = bundle, Rootfs = rootfs, Created = DateTime.UtcNow, Owner = "", Spec = spec,
                CgroupPaths = cgroup.Paths.ToDictionary(kv => kv.Key, kv => kv.Value), Creating = true,
            };
            _store.Save(record, durable: false);
            FaultPoints.Reach(FaultPoints.CreateAfterFirstRecord);
            // Undone from the first mkdir on (removing tolerates the directories a failed Create did not make).
            cleanup.Push(() => { try { cgroup.SignalAll(9); } catch (CgroupException) { } cgroup.Destroy(); });
            if (Rootless.IsRootless && !Rootless.TryCreateCgroup(cgroup, spec, Warnings))
            {
                cgroup = Rootless.NoCgroup(host);
                record.CgroupPaths = cgroup.Paths.ToDictionary(kv => kv.Key, kv => kv.Value);
                _store.Save(record, durable: false);
            }
            else cgroup.Create();
            Warnings.AddRange(cgroup.Warnings);
            // Limits are in force before the init (and so the user's process) runs in the cgroup.
            Warnings.AddRange(cgroup.ApplyResources(ResourcePlan.WithDefaultDevices(spec.Linux?.Resources ?? new LinuxResources(), spec)));
            FaultPoints.Reach(FaultPoints.CreateAfterCgroups);

            var fifo = _store.FifoOf(options.Id);
            Fifo.Create(fifo, 0x192 /* 0622 */);
            // O_RDWR opens a FIFO without waiting for a peer; the init keeps this end and blocks reading it until
            // `start` writes a byte.
            int fifoFd = FileDescriptor.Open(fifo, OpenFlags.ReadWrite, $"open {fifo}");
            cleanup.Push(() => FileDescriptor.Close(fifoFd));
            FaultPoints.Reach(FaultPoints.CreateAfterFifo);

            int consoleFd = options.ConsoleSocketFd;
            if (terminal && options.ConsoleSocket is not null)
            {
                consoleFd = FdPassing.Connect(options.ConsoleSocket);
                int c = consoleFd;
                cleanup.Push(() => FileDescriptor.Close(c));
            }

            int listenerFd = -1;
            if (seccomp.NeedsListener)
            {
                listenerFd = FdPassing.Connect(spec.Linux!.Seccomp!.ListenerPath!);
                int l = listenerFd;
                cleanup.Push(() => FileDescriptor.Close(l));
            }

            // The setup plan run by carton-dmz (issue 14) unless the config needs what the plan does not cover yet:
            // then the managed init, `carton init`, as before.
            bool native = Plan.SetupExecutor.Enabled && Plan.PlanCompiler.Unsupported(spec, lsm.ExecWrites.Count > 0 || lsm.MountLabel is not null, listenerFd >= 0) is null;
            using var launch = new InitLaunch((options.StdinFd, options.StdoutFd, options.StderrFd), terminal,
                [fifoFd, consoleFd, listenerFd], options.PreserveFds, [], native);
            var spawn = launch.Spawn;
            int parentSock = launch.Channel;

            var joinFds = new List<int>();
            bool newCgroupNs = false, newTimeNs = false, setgroupsDenied = false;
            try
            {
                foreach (var ns in namespaces.OrderBy(n => n.Type == "user" ? 0 : 1))
                {
                    var type = ns.Type ?? "";
                    if (!string.IsNullOrEmpty(ns.Path))
                    {
                        int fd = FileDescriptor.Open(ns.Path, OpenFlags.ReadOnly, $"linux.namespaces: open {type} namespace {ns.Path}");
                        joinFds.Add(fd);
                        // setns with the declared type: an fd of another namespace type fails the create (runc, crun).
                        spawn.Joins.Add(new NamespaceJoin(fd, (int)NamespaceKinds.GetCloneFlag(type), $"linux.namespaces: join {type} namespace {ns.Path}"));
                        if (type == "pid") spawn.JoinsPidNamespace = true;
                        continue;
                    }
                    switch (type)
                    {
                        case "cgroup": newCgroupNs = true; break; // unshared by the init once it is in its cgroup
                        case "time": newTimeNs = true; break;     // unshared by the init, which then writes the offsets
                        default: spawn.NewNamespaceFlags |= (int)NamespaceKinds.GetCloneFlag(type); break;
                    }
                }
                if ((spawn.NewNamespaceFlags & (int)NamespaceKinds.GetCloneFlag("user")) != 0)
                {
                    spawn.UidMap = FormatMap(spec.Linux?.UidMappings);
                    spawn.GidMap = FormatMap(spec.Linux?.GidMappings);
                    if (Rootless.IsRootless) setgroupsDenied = Rootless.ChooseMapWriters(spawn, spec);
                }
                else if (Rootless.IsRootless)
                    throw new RuntimeError("linux.namespaces: carton runs unprivileged (rootless) and needs a new user namespace; `carton spec --rootless` makes such a config");
                pid = launch.Start("start container init");
            }
            finally
            {
                foreach (var fd in joinFds) FileDescriptor.Close(fd);
            }
            FaultPoints.Reach(FaultPoints.CreateAfterSpawn);
            int initPid = pid;
            var startTime = ProcessInfo.Stat(pid)?.StartTime ?? 0;
            // Only the process we started: once reaped (WhyInitDied), its pid may already belong to someone else.
            // Until then it is our child and its pid cannot be reused, even as a zombie (an init that exited after
            // reporting an error), which must be reaped too: a library caller lives on.
            bool initReaped = false;
            cleanup.Push(() =>
            {
                if (initReaped) return;
                ChildProcess.KillAndReap(initPid);
            });
            record.Pid = pid;
            record.PidStartTime = startTime;
            _store.Save(record, durable: false);
            FaultPoints.Reach(FaultPoints.CreateAfterPidRecord);

            // In its cgroup before it runs anything of the user's (it is blocked reading its config).
            cgroup.AddProcess(pid);
            FaultPoints.Reach(FaultPoints.CreateAfterCgroupJoin);

            var config = new InitConfig
            {
                Id = options.Id, Bundle = bundle, Rootfs = rootfs, Spec = spec, NoPivot = options.NoPivot, NoNewKeyring = options.NoNewKeyring,
                FifoFd = fifoFd, ConsoleFd = consoleFd, PreserveFds = options.PreserveFds,
                NewCgroupNamespace = newCgroupNs, NewTimeNamespace = newTimeNs, SetgroupsDenied = setgroupsDenied,
                SeccompProgram = seccomp.Program, SeccompListenerFd = listenerFd,
                CgroupMounts = CgroupMountsFor(host, cgroup), Idle = options.Idle,
                LsmWrites = [.. lsm.ExecWrites], MountLabel = lsm.MountLabel,
            };
            var state = new ContainerState
            {
                OciVersion = spec.OciVersion, Id = options.Id, Status = ContainerStatus.Creating, Pid = pid, Bundle = bundle,
                Annotations = spec.Annotations,
            };
            void RunParentHooks()
            {
                // config.md: prestart (deprecated) then createRuntime, in the runtime namespace.
                HookRunner.RunAll("prestart", spec.Hooks?.Prestart, state);
                HookRunner.RunAll("createRuntime", spec.Hooks?.CreateRuntime, state);
            }
            if (native)
            {
                var plan = Plan.PlanCompiler.CompileCreate(config);
                SendOrExplain(() => FileDescriptor.WriteAll(parentSock, plan.Encode(), "write the setup plan to the container init"));
                FaultPoints.Reach(FaultPoints.CreateAfterPlanSent);
                Plan.PlanChannel.Follow(parentSock, plan, RunParentHooks, () =>
                {
                    initReaped = true;
                    return WhyInitDied(pid, host, cgroup, spec);
                });
            }
            else
            {
                SendOrExplain(() => InitChannel.Send(parentSock, new InitMessage { Type = "config", Config = config }));
                FaultPoints.Reach(FaultPoints.CreateAfterPlanSent);
                while (true)
                {
                    var msg = InitChannel.Receive(parentSock);
                    if (msg is null)
                    {
                        initReaped = true;
                        throw new RuntimeError(WhyInitDied(pid, host, cgroup, spec));
                    }
                    if (msg.Type == "error") throw new RuntimeError(msg.Message ?? "container init failed");
                    if (msg.Type == "hooks")
                    {
                        RunParentHooks();
                        InitChannel.Send(parentSock, new InitMessage { Type = "hooks-done" });
                        continue;
                    }
                    if (msg.Type == "ready") break;
                    throw new RuntimeError($"container init sent an unexpected message \"{msg.Type}\"");
                }
            }

            void SendOrExplain(Action send)
            {
                try { send(); }
                catch (SyscallException e) when (e.Errno is Errno.EPIPE or Errno.ECONNRESET)
                {
                    // The init died before it read its config (placed in a cgroup whose memory limit it cannot live in,
                    // say): report how, not the broken pipe.
                    initReaped = true;
                    throw new RuntimeError(WhyInitDied(pid, host, cgroup, spec));
                }
            }

            FaultPoints.Reach(FaultPoints.CreateAfterReady);
            record.Creating = false;
            _store.Save(record);
            FaultPoints.Reach(FaultPoints.CreateAfterFinalSave);
            if (options.PidFile is not null) WritePidFile(options.PidFile, pid);
            FaultPoints.Reach(FaultPoints.CreateAfterPidFile);
            FileDescriptor.Close(fifoFd);
            if (consoleFd >= 0 && options.ConsoleSocket is not null) FileDescriptor.Close(consoleFd);
            if (listenerFd >= 0) FileDescriptor.Close(listenerFd);
            return record;
        }
        catch
        {
            while (cleanup.Count > 0)
            {
                try { cleanup.Pop()(); }
                catch (Exception) { /* keep undoing: the original error is the one to report */ }
            }
            throw;
        }
    }

    /// <summary>
    /// The init closed its channel without a word: it was killed. Say by what, when that can be known. A memory limit
    /// too small for the init to start is the usual cause (some kernels refuse such a limit when it is written, others
    /// accept it and OOM-kill the init as it starts), so the message names the limit whenever one is set.
    /// </summary>
    private static string WhyInitDied(int pid, CgroupHost host, ICgroupManager cgroup, Spec spec)
    {
        var status = ChildProcess.TryWait(pid);
        var limit = spec.Linux?.Resources?.Memory?.Limit;
        if (status is { Exited: false } killed)
        {
            int sig = killed.TermSignal;
            int oomKills = 0;
            try { oomKills = CgroupStatsReader.OomKillCount(host, cgroup.Paths); }
            catch (CgroupException) { }
            if (sig == 9 && oomKills > 0)
                return limit is { } l
                    ? $"container init was killed by the OOM killer while it started: linux.resources.memory.limit ({l} bytes) is too low to start the container"
                    : "container init was killed by the OOM killer while it started";
            if (sig == 9 && limit is { } l9 && l9 > 0)
                return $"container init was killed by signal 9 before it was ready (linux.resources.memory.limit is {l9} bytes: too low a limit gets the init OOM-killed)";
            return $"container init was killed by signal {sig} before it was ready";
        }
        return status is { } exited ? $"container init exited with status {exited.ExitCode} before it was ready" : "container init exited before it was ready";
    }

    internal static List<CgroupMountSource> CgroupMountsFor(CgroupHost host, ICgroupManager cgroup)
    {
        var list = new List<CgroupMountSource>();
        foreach (var h in host.Hierarchies)
        {
            if (!cgroup.Paths.TryGetValue(h.Key, out var dir)) continue;
            // On a hybrid host the container sees the v1 hierarchies only, as under runc: the unified hierarchy there
            // holds no controller a container could use.
            if (h.IsUnified && host.Mode == CgroupMode.Hybrid) continue;
            var name = h.IsUnified ? (host.Mode == CgroupMode.V2 ? "" : "unified") : Path.GetFileName(h.MountPoint.TrimEnd('/'));
            list.Add(new CgroupMountSource { Name = name, HostPath = dir, Unified = h.IsUnified, Controllers = h.Key });
        }
        return list;
    }

    private static string? FormatMap(List<LinuxIdMapping>? maps) =>
        maps is null ? null : string.Concat(maps.Select(m => $"{m.ContainerID} {m.HostID} {m.Size}\n"));

    internal static void WritePidFile(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        File.WriteAllText(tmp, pid.ToString(CultureInfo.InvariantCulture));
        File.Move(tmp, full, overwrite: true);
    }
}
