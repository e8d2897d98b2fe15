using Carton.Linux;
using System.Globalization;
using Carton.Linux.Cgroups;
using Carton.Linux.Interop;
using Carton.Linux.Spawn;
using Carton.Oci;
using Carton.Linux.IO;
using Carton.Linux.Processes;

namespace Carton.Runtime;

/// <summary>
/// `exec`: a new process in a running container. The spawn helper joins every namespace of the container's init
/// (user first, then the rest; a pid namespace through a second child), the parent puts the new process in the
/// container's cgroup before it runs anything, and carton's init, in exec mode, applies the process settings
/// (user, capabilities, rlimits, terminal, no_new_privs) and execs.
/// </summary>
public sealed unsafe class ContainerExec
{
    private readonly StateStore _store;
    private readonly Lifecycle _life;

    public ContainerExec(Lifecycle life)
    {
        _life = life;
        _store = life.Store;
    }

    /// <summary>Starts the process and returns its pid (a child of the caller). The container's lock is held until the
    /// process is in the container's cgroup and ready: a delete or kill meanwhile waits, so it either finds the new
    /// process in the cgroup or finds no container. In a paused container (--ignore-paused) the process cannot get
    /// ready before a resume, which needs the lock: there it is released once the process is in the cgroup.</summary>
    public int Exec(ExecOptions options)
    {
        var held = _store.Lock(options.Id);
        try { return ExecLocked(options, held); }
        finally { held.Dispose(); }
    }

    private int ExecLocked(ExecOptions options, IDisposable held)
    {
        var r = _store.Load(options.Id);
        var status = _life.StatusOf(r);
        if (status == ContainerStatus.Stopped || status == ContainerStatus.Creating)
            throw new RuntimeError($"cannot exec in container \"{options.Id}\": container is {status}");
        if (status == ContainerStatus.Paused && !options.IgnorePaused)
            throw new RuntimeError($"cannot exec in container \"{options.Id}\": container is paused (use --ignore-paused)");
        FaultPoints.Reach(FaultPoints.ExecAfterLoad);
        var process = options.Process;
        bool terminal = process.Terminal == true;
        if (terminal && options.ConsoleSocket is null && options.ConsoleSocketFd < 0)
            throw new RuntimeError("process.terminal is true: cannot allocate a tty without --console-socket when carton detaches");

        var lsm = LsmPlan.Compute(process, null, Linux.Security.LsmHostFacts.Probe(), exec: true);
        var seccomp = r.Spec.Linux?.Seccomp is { } profile ? SeccompPlan.Compile(profile, _store.Root) : (Program: (string?)null, NeedsListener: false);
        var fds = new List<int>();
        int pid = 0;
        try
        {
            // The setup plan run by carton-dmz (issue 14), unless the process needs what plans do not cover yet.
            bool native = Plan.SetupExecutor.Enabled && Plan.PlanCompiler.UnsupportedExec(process, lsm.ExecWrites.Count > 0, seccomp.NeedsListener) is null;
            var joins = new List<NamespaceJoin>();
            NamespaceJoin? mountJoin = null;
            bool joinsPid = false;
            int mountNsFd = -1;
            // Every namespace the container has, entered through its init's /proc entries; the user namespace first
            // so that the others are joined with the capabilities it grants.
            foreach (var ns in (r.Spec.Linux?.Namespaces ?? []).OrderBy(n => n.Type == "user" ? 0 : 1))
            {
                var type = ns.Type ?? "";
                var path = $"/proc/{r.Pid.ToString(CultureInfo.InvariantCulture)}/ns/{NamespaceKinds.GetProcName(type)}";
                int fd = FileDescriptor.TryOpen(path, OpenFlags.ReadOnly);
                if (fd < 0)
                {
                    // The init was alive at the status check but is dying or dead since (a concurrent kill): say so, as
                    // the status check would have, rather than report its vanished /proc entry. An exiting task drops
                    // its namespaces before it becomes a zombie, so ENOENT here already means the init is going.
                    if (-fd is Errno.ENOENT or Errno.ESRCH || !ProcessInfo.IsAlive(r.Pid, r.PidStartTime))
                        throw new RuntimeError($"cannot exec in container \"{options.Id}\": container is {ContainerStatus.Stopped}", ErrorKind.InvalidState);
                    throw new SyscallException($"exec: open {type} namespace {path}", -fd);
                }
                fds.Add(fd);
                if (type == "mount" && native)
                {
                    // carton-dmz is static: the spawn helper joins the mount namespace (last), before the exec.
                    mountNsFd = fd;
                    mountJoin = new NamespaceJoin(fd, (int)NamespaceKinds.GetCloneFlag(type), $"exec: join {type} namespace {path}");
                    continue;
                }
                if (type == "mount")
                {
                    // Joined after exec by the native constructor (native/carton_spawn.c): exec'd inside the
                    // container's mount namespace, carton's ELF interpreter would be looked up in the rootfs.
                    mountNsFd = fd;
                    continue;
                }
                joins.Add(new NamespaceJoin(fd, (int)NamespaceKinds.GetCloneFlag(type), $"exec: join {type} namespace {path}"));
                if (type == "pid") joinsPid = true;
            }
            // No mount namespace: the container is the init's chroot in the caller's mount table; the new process
            // is chrooted into the same directory (through the init's /proc root link, opened here).
            int rootFd = -1;
            var envExtra = new List<string>();
            if (mountJoin is { } mj) joins.Add(mj);
            if (mountNsFd >= 0) { if (!native) envExtra.Add($"_CARTON_MNTNS_FD={mountNsFd.ToString(CultureInfo.InvariantCulture)}"); }
            else
            {
                var rootLink = $"/proc/{r.Pid.ToString(CultureInfo.InvariantCulture)}/root";
                rootFd = FileDescriptor.Open(rootLink, OpenFlags.PathOnly | OpenFlags.Directory, $"exec: open the container's root {rootLink}");
                fds.Add(rootFd);
                envExtra.Add($"{ContainerInit.RootFdEnv}={rootFd.ToString(CultureInfo.InvariantCulture)}");
            }
            // The init must still be the process we recorded once its namespaces are open (no pid reuse in between).
            if (!ProcessInfo.IsAlive(r.Pid, r.PidStartTime))
                throw new RuntimeError($"cannot exec in container \"{options.Id}\": container is stopped");
            FaultPoints.Reach(FaultPoints.ExecAfterNamespaces);

            int consoleFd = options.ConsoleSocketFd;
            if (terminal && options.ConsoleSocket is not null)
            {
                consoleFd = FdPassing.Connect(options.ConsoleSocket);
                fds.Add(consoleFd);
            }
            int listenerFd = -1;
            if (seccomp.NeedsListener)
            {
                listenerFd = FdPassing.Connect(r.Spec.Linux!.Seccomp!.ListenerPath!);
                fds.Add(listenerFd);
            }
            var plan = native
                ? Plan.PlanCompiler.CompileExec(r.Id, process, options.PreserveFds, seccomp.Program, r.Spec, rootFd,
                    $"/proc/{r.Pid.ToString(CultureInfo.InvariantCulture)}/root", consoleFd)
                : null;
            using var launch = new InitLaunch((options.StdinFd, options.StdoutFd, options.StderrFd), terminal,
                native ? [rootFd, consoleFd] : [consoleFd, listenerFd, mountNsFd, rootFd], options.PreserveFds, [.. envExtra], native);
            launch.Spawn.Joins.AddRange(joins);
            launch.Spawn.JoinsPidNamespace = joinsPid;
            int parentSock = launch.Channel;
            pid = launch.Start($"exec in container \"{options.Id}\"");
            FaultPoints.Reach(FaultPoints.ExecAfterSpawn);
            if (r.CgroupPaths.Count > 0)
                CgroupManagerFactory.FromPaths(_life.Cgroups, r.CgroupPaths).AddProcess(pid);
            FaultPoints.Reach(FaultPoints.ExecAfterCgroupJoin);
            if (status == ContainerStatus.Paused) held.Dispose();

            if (plan is not null)
            {
                FileDescriptor.WriteAll(parentSock, plan.Encode(), "write the setup plan to the exec init");
                FaultPoints.Reach(FaultPoints.ExecAfterPlanSent);
                Plan.PlanChannel.Follow(parentSock, plan, () => throw new RuntimeError("exec: the init asked for hooks"),
                    () => $"exec in container \"{options.Id}\": the process exited before it was ready");
                FaultPoints.Reach(FaultPoints.ExecAfterReady);
                if (options.PidFile is not null) ContainerCreator.WritePidFile(options.PidFile, pid);
                FaultPoints.Reach(FaultPoints.ExecAfterPidFile);
                int started = pid;
                pid = 0;
                return started;
            }
            InitChannel.Send(parentSock, new InitMessage
            {
                Type = "config",
                Config = new InitConfig
                {
                    Id = r.Id, Bundle = r.Bundle, Rootfs = r.Rootfs, Spec = r.Spec, Exec = true, Process = process,
                    LsmWrites = [.. lsm.ExecWrites],
                    ConsoleFd = consoleFd, PreserveFds = options.PreserveFds,
                    SeccompProgram = seccomp.Program, SeccompListenerFd = listenerFd,
                },
            });
            FaultPoints.Reach(FaultPoints.ExecAfterPlanSent);
            var reply = InitChannel.Receive(parentSock);
            if (reply?.Type == "error") throw new RuntimeError(reply.Message ?? "exec failed");
            if (reply?.Type != "ready") throw new RuntimeError($"exec in container \"{options.Id}\": the process exited before it was ready");
            FaultPoints.Reach(FaultPoints.ExecAfterReady);
            if (options.PidFile is not null) ContainerCreator.WritePidFile(options.PidFile, pid);
            FaultPoints.Reach(FaultPoints.ExecAfterPidFile);
            int result = pid;
            pid = 0;
            return result;
        }
        finally
        {
            foreach (var fd in fds) FileDescriptor.Close(fd);
            if (pid > 0) ChildProcess.KillAndReap(pid);
        }
    }
}
