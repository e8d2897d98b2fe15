using System.Globalization;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Mounts;
using Carton.Linux.Processes;
using Carton.Linux.ProcessSetup;
using Carton.Linux.Rootfs;
using Carton.Linux.Spawn;
using Carton.Oci;
using static Carton.Oci.MountConstants;

namespace Carton.Runtime;

/// <summary>
/// The container's init: `carton init`, exec'd from the sealed memfd by the native helper, already inside the new
/// namespaces and the container's cgroup. It builds the rootfs, reports ready, waits for `start`, and execs the
/// user's process. All of it runs synchronously on the main thread: capabilities, uids and the cgroup namespace
/// are per-thread in the kernel, and the thread that sets them must be the one that calls execve.
/// </summary>
public static unsafe class ContainerInit
{
    public const string ChannelEnv = "_CARTON_INIT_FD";

    /// <summary>exec in a container without a mount namespace: the fd of the init's root directory to chroot into.</summary>
    public const string RootFdEnv = "_CARTON_ROOT_FD";

    public static int Run()
    {
        var fdText = Environment.GetEnvironmentVariable(ChannelEnv);
        if (fdText is null || !int.TryParse(fdText, CultureInfo.InvariantCulture, out int channel))
        {
            Console.Error.WriteLine("carton init: not started by carton create (no init channel)");
            return 1;
        }
        Environment.SetEnvironmentVariable(ChannelEnv, null);
        try
        {
            var msg = InitChannel.Receive(channel);
            if (msg?.Config is not { } config) return 1;
            if (config.Exec) JoinAndExec(channel, config);
            else return Build(channel, config); // returns only in idle mode (or by exec)
            return 1;
        }
        catch (Exception e)
        {
            try { InitChannel.Send(channel, new InitMessage { Type = "error", Message = e.Message }); }
            catch (Exception) { Console.Error.WriteLine("carton init: " + e.Message); }
            return 1;
        }
    }

    private static int Build(int channel, InitConfig config)
    {
        var spec = config.Spec;
        var process = spec.Process!;
        // Non-dumpable while this process holds host fds and sees the host's mounts: another process of the
        // container cannot ptrace it or open its /proc/pid/fd (design.md §3 item 2). execve resets it.
        if (!Carton.Linux.Security.Defences.IsDisabled("init-non-dumpable")) ProcessFlags.MakeNonDumpable();
        // The one procfs handle every procfs write goes through (design.md §3 item 5), verified before any mount of
        // the container is made: the host's /proc in this mount namespace. After pivot_root it still lists this
        // process's fds (the close_range fallback); it is O_CLOEXEC and the process is non-dumpable meanwhile.
        var proc = ProcFs.Open("/proc");
        var namespaces = spec.Linux?.Namespaces ?? [];
        bool New(string type) => namespaces.Any(n => n.Type == type && string.IsNullOrEmpty(n.Path));
        bool Has(string type) => namespaces.Any(n => n.Type == type);

        // The cgroup namespace is rooted where the process is when it unshares: the parent placed us already.
        if (config.NewCgroupNamespace) NamespaceUnshare.Unshare((int)NamespaceKinds.GetCloneFlag("cgroup"), "create cgroup namespace");
        if (config.NewTimeNamespace) EnterTimeNamespace(proc, spec.Linux?.TimeOffsets);

        if (process.OomScoreAdj is int adj)
        {
            try { proc.Write("/proc/self/oom_score_adj", adj.ToString(CultureInfo.InvariantCulture)); }
            catch (SyscallException e) when (e.Errno is Errno.EACCES or Errno.EPERM)
            {
                // Lowering the score needs CAP_SYS_RESOURCE; say so instead of the runtime's message key.
                throw new RuntimeError($"process.oomScoreAdj: write {adj} to /proc/self/oom_score_adj: permission denied (EACCES){(adj < 0 ? ": a negative value needs CAP_SYS_RESOURCE" : "")}");
            }
        }
        WriteSysctls(proc, spec.Linux?.Sysctl);
        if (New("uts"))
        {
            if (spec.Hostname is { } h) UtsNames.SetHostname(h, $"hostname: sethostname {h}");
            if (spec.Domainname is { } d) UtsNames.SetDomainname(d, $"domainname: setdomainname {d}");
        }
        if (New("network")) Loopback.Up();

        // Without a mount namespace of its own the container shares the caller's mount table: nothing is mounted
        // (SpecValidator refused every field that needs a mount) and the init only chroots into root.path.
        bool privateMounts = Has("mount");
        if (privateMounts)
        {
            // Mount propagation: nothing done here may reach the host (config-linux.md "Rootfs Mount Propagation").
            ulong? wanted = PropagationOf(spec.Linux?.RootfsPropagation);
            ulong rootProp = wanted ?? (MS_SLAVE | MS_REC);
            // A shared "/" would make pivot_root fail, and an unbindable one every bind of a host path (the rootfs
            // itself, a bind mount's source, a v1 cgroup directory) fail with EINVAL: until pivot_root the tree is
            // a slave of the host's; the asked propagation is set on the container's "/" after pivot_root, below.
            if ((rootProp & (MS_SHARED | MS_UNBINDABLE)) != 0) rootProp = MS_SLAVE | MS_REC;
            MountPoints.SetPropagation("/", rootProp, "make / a slave mount");
            // The mount holding the rootfs must be bindable (an unbindable source makes the bind fail with EINVAL)
            // and not shared (pivot_root refuses a shared parent): private, or a slave when a slave was asked for
            // (runc and crun do the same).
            bool slave = wanted is not ulong w || (w & MS_SLAVE) != 0;
            MountPoints.SetPropagationOfEnclosingMount(config.Rootfs, slave ? MS_SLAVE : MS_PRIVATE,
                $"root.path: make the mount holding {config.Rootfs} {(slave ? "a slave" : "private")}");
            MountPoints.Bind(config.Rootfs, config.Rootfs, recursive: true, $"root.path: bind mount rootfs {config.Rootfs}");
        }
        int rootFd = FileDescriptor.Open(config.Rootfs, OpenFlags.PathOnly | OpenFlags.Directory, $"root.path: open {config.Rootfs}");

        bool userns = Has("user");
        var installer = new MountInstaller(rootFd, config.Bundle)
        {
            NewCgroupNamespace = config.NewCgroupNamespace,
            InUserNamespace = Has("user"),
            MountLabel = config.MountLabel,
            CgroupDirs = () => config.CgroupMounts.Select(c => (c.Name, c.HostPath, c.Unified, c.Controllers)).ToList(),
        };
        var mounts = spec.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++) installer.Install(mounts[i], i);

        bool devBound = mounts.Any(m => m.Destination?.TrimEnd('/') == "/dev" && (m.Type == "bind" || (m.Options?.Contains("bind") ?? false) || (m.Options?.Contains("rbind") ?? false)));
        // Without a mount namespace the rootfs' /dev is used as it is (its nodes would be the host's files).
        if (!devBound && privateMounts)
        {
            DeviceSetup.CreateDefaults(rootFd, bindFromHost: userns);
            DeviceSetup.CreateSymlinks(rootFd, hasDevPts: mounts.Any(m => m.Destination?.TrimEnd('/') == "/dev/pts"));
        }
        if (spec.Linux?.Devices is { } devices) DeviceSetup.CreateConfigured(rootFd, devices, bindFromHost: userns);

        // runc creates a missing process.cwd inside the rootfs; so does carton, through the same in-root resolution.
        if (process.Cwd is { Length: > 1 } cwdPath)
            FileDescriptor.Close(SecurePath.OpenOrCreate(rootFd, cwdPath, lastIsFile: false, "process.cwd"));

        int ptySlave = -1;
        if (process.Terminal == true) ptySlave = SetupConsole(rootFd, config, process);

        // Prestart and createRuntime hooks run in the runtime namespace: the parent runs them, then createContainer
        // hooks run here, in the container's namespaces, before pivot_root (as runc does).
        InitChannel.Send(channel, new InitMessage { Type = "hooks" });
        var reply = InitChannel.Receive(channel);
        if (reply?.Type != "hooks-done") throw new RuntimeError("create aborted while running hooks");
        var state = new ContainerState
        {
            OciVersion = spec.OciVersion, Id = config.Id, Status = ContainerStatus.Creating, Pid = CurrentProcess.Id,
            Bundle = config.Bundle, Annotations = spec.Annotations,
        };
        HookRunner.RunAll("createContainer", spec.Hooks?.CreateContainer, state);

        if (!privateMounts) PivotRoot.Chroot(config.Rootfs);
        else if (config.NoPivot) PivotRoot.MoveAndChroot(config.Rootfs);
        else PivotRoot.Pivot(config.Rootfs);
        FileDescriptor.Close(rootFd);
        rootFd = FileDescriptor.TryOpen("/", OpenFlags.PathOnly | OpenFlags.Directory);

        var masked = spec.Linux?.MaskedPaths ?? [];
        for (int i = 0; i < masked.Count; i++) PathMasks.Mask(rootFd, masked[i], i, config.MountLabel);
        var ro = spec.Linux?.ReadonlyPaths ?? [];
        for (int i = 0; i < ro.Count; i++) PathMasks.MakeReadonly(rootFd, ro[i], i);
        if (spec.Root?.Readonly == true) PathMasks.MakeRootReadonly();
        if (PropagationOf(spec.Linux?.RootfsPropagation) is ulong prop)
            MountPoints.SetPropagation("/", prop, $"linux.rootfsPropagation: set {spec.Linux!.RootfsPropagation} on /");
        FileDescriptor.Close(rootFd);

        if (process.Rlimits is { } limits) ResourceLimits.Apply(limits);

        var env = process.Env ?? [];
        var executable = config.Idle ? "" : ExecutableLookup.Resolve(process.Args![0], env, process.Cwd ?? "/");

        InitChannel.Send(channel, new InitMessage { Type = "ready" });
        FileDescriptor.Close(channel);

        // Blocks until `carton start` writes a byte (or forever, until `delete` kills us).
        Span<byte> b = stackalloc byte[1];
        while (true)
        {
            int n = FileDescriptor.Read(config.FifoFd, b);
            if (n == 1) break;
            if (n == -Errno.EINTR) continue;
            Environment.Exit(1);
        }
        FileDescriptor.Close(config.FifoFd);

        state.Status = ContainerStatus.Running;
        HookRunner.RunAll("startContainer", spec.Hooks?.StartContainer, state);

        if (config.Idle)
        {
            proc.Dispose();
            return Idle(process.Cwd ?? "/");
        }
        Exec(process, executable, env, ptySlave, config, state, config.NoNewKeyring, config.SetgroupsDenied, () => proc);
        return 1;
    }

    /// <summary>
    /// Idle mode (a compute system created without an init process): this process stays the container's pid 1,
    /// reaping every child that is reparented to it (orphans of exec'd processes), until SIGTERM or SIGINT (exit 0).
    /// </summary>
    private static int Idle(string cwd)
    {
        WorkingDirectory.TryChange(cwd);
        using var wake = new AutoResetEvent(false);
        int stop = 0;
        void OnStop(System.Runtime.InteropServices.PosixSignalContext c)
        {
            c.Cancel = true;
            Volatile.Write(ref stop, 1);
            wake.Set();
        }
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnStop);
        using var intr = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnStop);
        using var chld = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGCHLD, _ => wake.Set());
        while (Volatile.Read(ref stop) == 0)
        {
            ChildProcess.ReapExited();
            wake.WaitOne(1000); // SIGCHLD wakes it; the timeout only guards against a lost wake-up
        }
        return 0;
    }

    /// <summary>`exec`: already in every namespace of the container (the spawn helper joined them, so "/" is the
    /// container's root) and in its cgroup; set up the process and exec it.</summary>
    private static void JoinAndExec(int channel, InitConfig config)
    {
        if (!Carton.Linux.Security.Defences.IsDisabled("init-non-dumpable")) ProcessFlags.MakeNonDumpable();
        if (Environment.GetEnvironmentVariable("_CARTON_MNTNS_ERRNO") is { } mntErr)
            throw new SyscallException("exec: join the container's mount namespace", int.Parse(mntErr, CultureInfo.InvariantCulture));
        if (Environment.GetEnvironmentVariable(RootFdEnv) is { } rootText)
        {
            Environment.SetEnvironmentVariable(RootFdEnv, null);
            int containerRoot = int.Parse(rootText, CultureInfo.InvariantCulture);
            PivotRoot.ChrootTo(containerRoot, "exec: enter the container's root");
            FileDescriptor.Close(containerRoot);
        }
        var process = config.Process ?? throw new RuntimeError("exec: no process given");
        if (process.Args is not { Count: > 0 }) throw new RuntimeError("process.args: must not be empty");
        int ptySlave = -1;
        if (process.Terminal == true)
        {
            int rootFd = FileDescriptor.TryOpen("/", OpenFlags.PathOnly | OpenFlags.Directory);
            try
            {
                var (master, slave) = Pty.OpenInRoot(rootFd);
                if (process.ConsoleSize is { } size) Pty.SetSize(master, (ushort)size.Height, (ushort)size.Width);
                FdPassing.Send(config.ConsoleFd, master, Pty.SlaveName(master));
                FileDescriptor.Close(master);
                FileDescriptor.Close(config.ConsoleFd);
                ptySlave = slave;
            }
            finally { FileDescriptor.Close(rootFd); }
        }
        if (process.Rlimits is { } limits) ResourceLimits.Apply(limits);
        var env = process.Env ?? [];
        var cwd = process.Cwd ?? "/";
        var executable = ExecutableLookup.Resolve(process.Args[0], env, cwd);
        InitChannel.Send(channel, new InitMessage { Type = "ready" });
        FileDescriptor.Close(channel);
        var state = new ContainerState
        {
            OciVersion = config.Spec.OciVersion, Id = config.Id, Status = ContainerStatus.Running, Pid = CurrentProcess.Id,
            Bundle = config.Bundle, Annotations = config.Spec.Annotations,
        };
        // The exec init sees only the container's /proc: it is used (verified) only if close_range fails.
        Exec(process, executable, env, ptySlave, config, state, noNewKeyring: true, setgroupsDenied: config.SetgroupsDenied, () => ProcFs.Open("/proc"));
    }

    private static int SetupConsole(int rootFd, InitConfig config, Oci.Process process)
    {
        var (master, slave) = Pty.OpenInRoot(rootFd);
        if (process.ConsoleSize is { } size) Pty.SetSize(master, (ushort)size.Height, (ushort)size.Width);
        // /dev/console is the pty, bound by fd over a fresh regular file: whatever the image put there (a symlink to
        // /proc/sys/kernel/core_pattern, say: CVE-2025-52565) is removed first, never followed.
        int dev = SecurePath.OpenOrCreate(rootFd, "/dev", lastIsFile: false, "/dev/console");
        try
        {
            Directories.TryRemoveEntry(dev, "console");
            int created = FileDescriptor.OpenAt(dev, "console", OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow | OpenFlags.WriteOnly, "create /dev/console", 0x1A4);
            FileDescriptor.Close(created);
        }
        finally { FileDescriptor.Close(dev); }
        int console = SecurePath.OpenOrCreate(rootFd, "/dev/console", lastIsFile: true, "/dev/console");
        if (!FileType.IsRegular(console))
        {
            FileDescriptor.Close(console);
            throw new RuntimeError("/dev/console in the container is not the regular file carton just created; refusing to mount the pty on it");
        }
        try
        {
            MountPoints.Bind(SecurePath.ProcFd(slave), SecurePath.ProcFd(console), recursive: false, "bind the pty over /dev/console");
        }
        finally { FileDescriptor.Close(console); }
        FdPassing.Send(config.ConsoleFd, master, Pty.SlaveName(master));
        FileDescriptor.Close(master);
        FileDescriptor.Close(config.ConsoleFd);
        return slave;
    }

    private static void Exec(Oci.Process process, string executable, IReadOnlyList<string> env, int ptySlave, InitConfig config,
        ContainerState state, bool noNewKeyring, bool setgroupsDenied, Func<ProcFs> proc)
    {
        int preserveFds = config.PreserveFds;
        string containerId = config.Id;
        if (setgroupsDenied && process.User?.AdditionalGids is { Count: > 0 })
            throw new RuntimeError("process.user.additionalGids: cannot be set in a rootless container whose user namespace denies setgroups (map several gids with newgidmap)");
        var user = process.User ?? new User();
        var caps = CapabilitySets.From(process.Capabilities);
        var envList = env.ToList();
        if (!envList.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            envList.Add("HOME=" + HomeOf(user.Uid));

        // runc gives each container its own session keyring, so containers do not share the host's keys.
        if (!noNewKeyring && SessionKeyring.TryJoinNew("_ses." + containerId) is var ke && ke != 0 && ke != Errno.ENOSYS && ke != Errno.EPERM)
            throw new SyscallException("join a new session keyring (use --no-new-keyring to skip)", ke);
        if (ptySlave >= 0) Pty.BecomeControllingTerminal(ptySlave);
        if (user.Umask is uint mask) FileCreationMask.Set(mask);
        else FileCreationMask.Set(0x12 /* 022 */);

        // AppArmor profile and SELinux label for the execve below (LsmPlan): written while this thread's attr files
        // can still be opened (the process is non-dumpable, so they belong to root) and before seccomp.
        LsmPlan.Apply(config.LsmWrites, proc);

        // The order matters (runc's finalizeNamespace): bounding set while we still have CAP_SETPCAP, keep the
        // permitted set across the uid change, then the final sets, then no_new_privs.
        // Without no_new_privs a seccomp filter can only be loaded with CAP_SYS_ADMIN: load it now, before the
        // capabilities go (runc does the same; the profile must then allow the few syscalls carton makes after).
        bool noNewPrivs = process.NoNewPrivileges == true;
        // Everything above the preserved fds is closed at exec (CVE-2024-21626: no host fd may reach the process).
        // Before any seccomp filter is loaded: a profile may deny close_range (and fcntl), and then host fds would
        // stay open; the result is checked, with a fallback over the procfs's self/fd when close_range is refused.
        bool closeEarly = !Carton.Linux.Security.Defences.IsDisabled("close-range-before-seccomp");
        bool closeFds = !Carton.Linux.Security.Defences.IsDisabled("close-fds-before-exec");
        if (closeFds && closeEarly) FileDescriptor.CloseOnExecFrom(3 + preserveFds, proc);
        if (!noNewPrivs) SeccompPlan.Load(config, state);
        caps.ApplyBounding();
        Identity.KeepCapabilities(true);
        var cwd = process.Cwd ?? "/";
        bool cwdDone = WorkingDirectory.TryChange(cwd) == 0; // as root first; retried as the user (runc does both)
        Identity.Apply(user.Uid, user.Gid, user.AdditionalGids ?? [], setgroupsAllowed: !setgroupsDenied);
        Identity.KeepCapabilities(false);
        caps.ApplySets();
        if (!cwdDone && WorkingDirectory.TryChange(cwd) is var ce && ce != 0) throw new SyscallException($"process.cwd: chdir {cwd}", ce);
        VerifyCwd(cwd);
        if (noNewPrivs) ProcessFlags.SetNoNewPrivileges("process.noNewPrivileges: prctl PR_SET_NO_NEW_PRIVS");
        // With no_new_privs, as late as possible: only execve follows.
        if (noNewPrivs) SeccompPlan.Load(config, state);
        // The order before the fix (switch "close-range-before-seccomp" off): after seccomp, result ignored.
        if (closeFds && !closeEarly) FileDescriptor.CloseOnExecFromUnchecked(3 + preserveFds);

        int execErrno = ProcessImage.Replace(executable, process.Args!, envList);
        throw new SyscallException($"exec {executable} (process.args[0])", execErrno);
    }

    /// <summary>After chdir, the working directory must be a real path inside the container (CVE-2024-21626: a
    /// leaked host directory fd as cwd shows up as a path that getcwd cannot resolve).</summary>
    private static void VerifyCwd(string cwd)
    {
        if (Carton.Linux.Security.Defences.IsDisabled("verify-cwd")) return;
        if (!WorkingDirectory.Current($"process.cwd: getcwd after chdir {cwd}").StartsWith('/')) throw new RuntimeError($"process.cwd: {cwd} is outside the container root");
    }

    private static string HomeOf(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length >= 6 && f[2] == uid.ToString(CultureInfo.InvariantCulture)) return f[5];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return "/";
    }

    private static ulong? PropagationOf(string? name) => Plan.PlanCompiler.Propagation(name);

    private static void WriteSysctls(ProcFs proc, Dictionary<string, string>? sysctls)
    {
        if (sysctls is null) return;
        foreach (var (key, value) in sysctls)
        {
            var path = "/proc/sys/" + key.Replace('.', '/');
            try { proc.Write(path, value); }
            catch (SyscallException e)
            {
                throw new RuntimeError($"linux.sysctl[\"{key}\"]: {e.Message}");
            }
        }
    }

    private static void EnterTimeNamespace(ProcFs proc, Dictionary<string, LinuxTimeOffset>? offsets)
    {
        NamespaceUnshare.Unshare(0x80 /* CLONE_NEWTIME */, "create time namespace");
        if (offsets is null) return;
        foreach (var (clock, o) in offsets)
        {
            var name = clock switch { "monotonic" => "monotonic", "boottime" => "boottime", _ => throw new RuntimeError($"linux.timeOffsets: unknown clock \"{clock}\"") };
            try { proc.Write("/proc/self/timens_offsets", $"{name} {o.Secs} {o.Nanosecs}"); }
            catch (SyscallException e) { throw new RuntimeError($"linux.timeOffsets.{clock}: {e.Message}"); }
        }
    }
}
