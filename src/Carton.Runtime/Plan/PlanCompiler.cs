using System.Globalization;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.ProcessSetup;
using Carton.Linux.Rootfs;
using Carton.Linux.Security;
using Carton.Oci;
using static Carton.Oci.MountConstants;

namespace Carton.Runtime.Plan;

/// <summary>
/// Compiles a container's config into the setup plan carton-dmz runs as its init (issue 14; docs/architecture.md
/// "The setup plan"). Every decision is taken here: which mounts in which order with which flags, what each target
/// must be before anything is mounted on it, which errno a step may ignore, how a failure reads. The operations are
/// the ones ContainerInit performs, in its order; the messages name the same JSON paths.
/// What the plan does not cover yet (a terminal, createContainer/startContainer hooks, tmpcopyup, idmapped mounts,
/// an AppArmor or SELinux label, a seccomp listener) is reported by <see cref="Unsupported"/>, and such a
/// container gets the managed init (`carton init`) as before.
/// </summary>
public static class PlanCompiler
{
    private const long ProcSuperMagic = 0x9fa0;
    private const ulong InRoot = Sys.RESOLVE_IN_ROOT | Sys.RESOLVE_NO_MAGICLINKS;
    private const int PathOnly = Sys.O_PATH;
    private const int CloneNewCgroup = 0x02000000, CloneNewTime = 0x80;

    /// <summary>Why the plan cannot build this container yet, or null when it can.</summary>
    public static string? Unsupported(InitConfig config) =>
        Unsupported(config.Spec, config.LsmWrites.Count > 0 || config.MountLabel is not null, config.SeccompListenerFd >= 0);

    /// <summary>The same, from what `create` knows before it starts the init.</summary>
    public static string? Unsupported(Spec spec, bool lsmLabels, bool seccompListener)
    {
        if (spec.Hooks?.CreateContainer is { Count: > 0 }) return "hooks.createContainer";
        if (spec.Hooks?.StartContainer is { Count: > 0 }) return "hooks.startContainer";
        if (lsmLabels) return "an AppArmor profile or SELinux label";
        if (seccompListener) return "linux.seccomp.listenerPath";
        // A mutation build with this defence off must show its attack succeed, and only the managed init has the
        // weakness it guards against (reading cap_last_cap in the container): the plan asks the kernel in the parent.
        if (Defences.IsDisabled("cap-last-cap-probe")) return "the managed init (defence cap-last-cap-probe switched off)";
        foreach (var m in spec.Mounts ?? [])
        {
            var o = MountOptionParser.Parse(m.Options ?? []);
            if (o.TmpCopyUp) return "a tmpcopyup mount";
            if (o.IdMap || m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 }) return "an idmapped mount";
        }
        return null;
    }

    /// <summary>The plan of `create`: build the container's root file system, report ready, wait for `start`,
    /// become the user's process (or stay pid 1 in idle mode).</summary>
    public static SetupPlan CompileCreate(InitConfig config)
    {
        if (Unsupported(config) is { } what) throw new RuntimeError($"setup plan: {what} is not compiled into a plan yet");
        var spec = config.Spec;
        var process = spec.Process!;
        var plan = new SetupPlan();
        var namespaces = spec.Linux?.Namespaces ?? [];
        bool New(string type) => namespaces.Any(n => n.Type == type && string.IsNullOrEmpty(n.Path));
        bool Has(string type) => namespaces.Any(n => n.Type == type);

        int fifo = plan.NewSlot();
        plan.Add(PlanCode.Adopt, PlanFlags.None, "the exec fifo", fifo, config.FifoFd);
        // Non-dumpable while it holds host fds (design.md §3 item 2): the executor makes itself so at its first
        // instruction, before it reads the plan (InitLaunch).
        // The one procfs handle every procfs write goes through (design.md §3 item 5), verified before any mount.
        int proc = plan.NewSlot();
        plan.Add(PlanCode.ProcFs, PlanFlags.None, "open /proc",
            e => e == Errno.EXDEV ? "/proc is not the root of a procfs mount, refusing to use it" : null, proc, plan.String("/proc"));

        if (config.NewCgroupNamespace) plan.Add(PlanCode.Unshare, PlanFlags.None, "create cgroup namespace", CloneNewCgroup);
        if (config.NewTimeNamespace)
        {
            plan.Add(PlanCode.Unshare, PlanFlags.None, "create time namespace", CloneNewTime);
            foreach (var (clock, o) in spec.Linux?.TimeOffsets ?? [])
            {
                if (clock is not ("monotonic" or "boottime")) throw new RuntimeError($"linux.timeOffsets: unknown clock \"{clock}\"");
                ProcWrite(plan, proc, "self/timens_offsets", $"{clock} {o.Secs} {o.Nanosecs}", $"linux.timeOffsets.{clock}");
            }
        }
        if (process.OomScoreAdj is int adj)
        {
            var text = adj.ToString(CultureInfo.InvariantCulture);
            plan.Add(PlanCode.Write, PlanFlags.None, $"process.oomScoreAdj: write {adj} to /proc/self/oom_score_adj",
                e => e is Errno.EACCES or Errno.EPERM
                    ? $"process.oomScoreAdj: write {adj} to /proc/self/oom_score_adj: permission denied (EACCES){(adj < 0 ? ": a negative value needs CAP_SYS_RESOURCE" : "")}"
                    : null,
                proc, plan.String("self/oom_score_adj"), plan.String(text));
        }
        foreach (var (key, value) in spec.Linux?.Sysctl ?? [])
            ProcWrite(plan, proc, "sys/" + key.Replace('.', '/'), value, $"linux.sysctl[\"{key}\"]");
        if (New("uts"))
        {
            if (spec.Hostname is { } h) plan.Add(PlanCode.Hostname, PlanFlags.None, $"hostname: sethostname {h}", plan.String(h), 0);
            if (spec.Domainname is { } d) plan.Add(PlanCode.Hostname, PlanFlags.None, $"domainname: setdomainname {d}", plan.String(d), 1);
        }
        if (New("network")) plan.Add(PlanCode.LoopbackUp, PlanFlags.None, "bring lo up");

        bool privateMounts = Has("mount");
        if (privateMounts)
        {
            // Mount propagation: nothing done here may reach the host (config-linux.md "Rootfs Mount Propagation");
            // the reasons for each choice are ContainerInit's.
            ulong? wanted = Propagation(spec.Linux?.RootfsPropagation);
            ulong rootProp = wanted ?? (MS_SLAVE | MS_REC);
            if ((rootProp & (MS_SHARED | MS_UNBINDABLE)) != 0) rootProp = MS_SLAVE | MS_REC;
            Mount(plan, "make / a slave mount", null, "/", null, rootProp);
            bool slave = wanted is not ulong w || (w & MS_SLAVE) != 0;
            Mount(plan, $"root.path: make the mount holding {config.Rootfs} {(slave ? "a slave" : "private")}", null, config.Rootfs, null,
                slave ? MS_SLAVE : MS_PRIVATE, opFlags: PlanFlags.WalkUp);
            Mount(plan, $"root.path: bind mount rootfs {config.Rootfs}", config.Rootfs, config.Rootfs, null, MS_BIND | MS_REC);
        }
        int root = plan.NewSlot();
        plan.Add(PlanCode.Open, PlanFlags.None, $"root.path: open {config.Rootfs}", Operand.NoSlot, plan.String(config.Rootfs),
            Sys.O_PATH | Sys.O_DIRECTORY, 0, 0, root);

        var mounts = spec.Mounts ?? [];
        var mountCompiler = new MountCompiler(plan, root, config, Has("user"));
        for (int i = 0; i < mounts.Count; i++) mountCompiler.Compile(mounts[i], i);

        bool devBound = mounts.Any(m => m.Destination?.TrimEnd('/') == "/dev" && (m.Type == "bind" || (m.Options?.Contains("bind") ?? false) || (m.Options?.Contains("rbind") ?? false)));
        if (!devBound && privateMounts)
        {
            DeviceNodes(plan, root, DeviceSetup.DefaultNodes.Select(d => (d.Path, 'c', d.Major, d.Minor, 0x1B6u, 0u, 0u, $"default device {d.Path}")), Has("user"));
            DeviceLinks(plan, root, hasDevPts: mounts.Any(m => m.Destination?.TrimEnd('/') == "/dev/pts"));
        }
        if (spec.Linux?.Devices is { } devices)
            DeviceNodes(plan, root, devices.Select((d, i) => (d.Path ?? "", string.IsNullOrEmpty(d.Type) ? 'c' : d.Type[0], (uint)d.Major, (uint)d.Minor,
                d.FileMode ?? 0x1B6u, d.Uid ?? 0u, d.Gid ?? 0u, $"linux.devices[{i}] ({d.Path})")), Has("user"));

        // runc creates a missing process.cwd inside the rootfs; so does carton, through the same in-root resolution.
        if (process.Cwd is { Length: > 1 } cwdPath)
        {
            int cwdSlot = plan.NewSlot();
            plan.Add(PlanCode.OpenCreate, PlanFlags.None, $"process.cwd: create {cwdPath} in the container root", root, plan.String(cwdPath), 0, cwdSlot);
            plan.Close(cwdSlot, "process.cwd");
        }
        int ptySlave = process.Terminal == true ? Console(plan, root, process, config.ConsoleFd) : -1;

        // Prestart and createRuntime hooks run in the runtime namespace: the parent runs them when asked.
        if (spec.Hooks?.Prestart is { Count: > 0 } || spec.Hooks?.CreateRuntime is { Count: > 0 })
            plan.Add(PlanCode.Sync, PlanFlags.None, "create aborted while running hooks", (int)PlanReport.Hooks);

        int mode = !privateMounts ? 2 : config.NoPivot ? 1 : 0;
        plan.Add(PlanCode.Pivot, PlanFlags.None, mode switch { 0 => $"pivot_root {config.Rootfs}", 1 => $"move rootfs {config.Rootfs} to /", _ => $"chroot {config.Rootfs}" },
            plan.String(config.Rootfs), mode);
        plan.Close(root, "the rootfs as seen before pivot_root");
        root = plan.NewSlot();
        plan.Add(PlanCode.Open, PlanFlags.None, "open / after pivot_root", Operand.NoSlot, plan.String("/"), Sys.O_PATH | Sys.O_DIRECTORY, 0, 0, root);

        var byPath = Defences.IsDisabled("mask-by-fd") ? PlanFlags.ByPath : PlanFlags.None;
        var masked = spec.Linux?.MaskedPaths ?? [];
        for (int i = 0; i < masked.Count; i++)
        {
            var path = masked[i];
            plan.Add(PlanCode.Mask, byPath, $"linux.maskedPaths[{i}]: mask {path}",
                e => e == 0 ? $"linux.maskedPaths[{i}]: /dev/null in the container is not the null device (1:3), refusing to mask {path} with it" : null,
                root, plan.String(path), Operand.None, plan.String(Carton.Linux.Security.LsmAttributes.MountData("tmpfs", false, null, config.MountLabel)));
        }
        var ro = spec.Linux?.ReadonlyPaths ?? [];
        for (int i = 0; i < ro.Count; i++)
            plan.Add(PlanCode.Readonly, byPath, $"linux.readonlyPaths[{i}]: bind {ro[i]} read-only", root, plan.String(ro[i]));
        if (spec.Root?.Readonly == true)
            Mount(plan, "root.readonly: remount / read-only", null, "/", null, MS_REMOUNT | MS_BIND | MS_RDONLY, opFlags: PlanFlags.RetryLocked);
        if (Propagation(spec.Linux?.RootfsPropagation) is ulong prop)
            Mount(plan, $"linux.rootfsPropagation: set {spec.Linux!.RootfsPropagation} on /", null, "/", null, prop);
        plan.Close(root, "the container's root");

        Rlimits(plan, process.Rlimits);
        var env = process.Env ?? [];
        if (!config.Idle) FindExecutable(plan, process.Args!, env, process.Cwd ?? "/");

        plan.Add(PlanCode.Sync, PlanFlags.None, "report ready", (int)PlanReport.Ready);
        plan.Add(PlanCode.WaitFifo, PlanFlags.None, "wait for start", fifo);
        plan.Close(fifo, "the exec fifo");
        if (config.Idle)
        {
            plan.Close(proc, "/proc");
            plan.Add(PlanCode.Idle, PlanFlags.None, "idle", plan.String(process.Cwd ?? "/"));
            return plan;
        }
        BecomeProcess(plan, process, config, HomeOf(config, process.User?.Uid ?? 0), noNewKeyring: config.NoNewKeyring, ptySlave);
        return plan;
    }

    /// <summary>
    /// process.terminal: a pty from the container's devpts (the checks are the executor's: /dev/ptmx must be 5:2,
    /// the slave comes from the master), its master sent to the console socket, its slave bound over a fresh regular
    /// file at /dev/console (whatever the image put there, a symlink to /proc/sys/kernel/core_pattern say, is
    /// unlinked first, never followed: CVE-2025-52565). Returns the slave's slot, made the controlling terminal later.
    /// </summary>
    private static int Console(SetupPlan plan, int root, Oci.Process process, int consoleFd)
    {
        int socket = plan.NewSlot();
        plan.Add(PlanCode.Adopt, PlanFlags.None, "the console socket", socket, consoleFd);
        var (master, slave) = OpenPty(plan, root, process, socket);
        int dev = plan.NewSlot();
        plan.Add(PlanCode.OpenCreate, PlanFlags.None, "/dev/console: create /dev in the container root", root, plan.String("/dev"), 0, dev);
        plan.Add(PlanCode.Unlink, PlanFlags.None, "/dev/console: unlink", dev, plan.String("console"), 0);
        int created = plan.NewSlot();
        plan.Add(PlanCode.Open, PlanFlags.None, "create /dev/console", dev, plan.String("console"),
            Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW | Sys.O_WRONLY, 0x1A4, 0, created);
        plan.Close(created, "/dev/console");
        plan.Close(dev, "/dev");
        int console = plan.NewSlot();
        plan.Add(PlanCode.OpenCreate, PlanFlags.None, "/dev/console: open in the container root", root, plan.String("/dev/console"), 1, console);
        plan.Add(PlanCode.Check, PlanFlags.None, "/dev/console in the container is not the regular file carton just created; refusing to mount the pty on it",
            console, (int)CheckKind.TypeIs, Sys.S_IFREG);
        plan.Add(PlanCode.Mount, PlanFlags.None, "bind the pty over /dev/console",
            Operand.None, slave, Operand.None, console, Operand.None, MS_BIND, Operand.None, Operand.None);
        plan.Close(console, "/dev/console");
        plan.Add(PlanCode.SendPty, PlanFlags.None, "send pty master to the console socket", socket, master);
        plan.Close(master, "the pty master");
        plan.Close(socket, "the console socket");
        return slave;
    }

    private static (int Master, int Slave) OpenPty(SetupPlan plan, int root, Oci.Process process, int socket)
    {
        int master = plan.NewSlot(), slave = plan.NewSlot();
        plan.Add(PlanCode.Pty, PlanFlags.None, "open /dev/ptmx in the container (process.terminal)",
            e => e == 0 ? "/dev/ptmx in the container is not a pty multiplexer (5:2); refusing to use it for process.terminal" : null,
            root, process.ConsoleSize?.Height ?? 0, process.ConsoleSize?.Width ?? 0, master, slave);
        return (master, slave);
    }

    /// <summary>Why an `exec` cannot run as a plan yet (the managed init runs it then), or null.</summary>
    public static string? UnsupportedExec(Oci.Process process, bool lsmLabels, bool seccompListener) =>
        lsmLabels ? "an AppArmor profile or SELinux label" : seccompListener ? "linux.seccomp.listenerPath" : null;

    /// <summary>
    /// The plan of `exec`: the spawn helper has joined every namespace of the container (its mount namespace too:
    /// carton-dmz is static, there is no ELF interpreter to find in the rootfs) and the parent has put the process in
    /// the container's cgroup; the plan sets up the process and execs it.
    /// </summary>
    /// <param name="rootFd">without a mount namespace: an fd of the init's root (/proc/PID/root) to chroot into, else -1.</param>
    /// <param name="containerRoot">where the parent reads the container's files (/proc/PID/root): /etc/passwd for HOME.</param>
    public static SetupPlan CompileExec(string id, Oci.Process process, int preserveFds, string? seccompProgram, Spec spec, int rootFd, string containerRoot, int consoleFd = -1)
    {
        if (UnsupportedExec(process, false, false) is { } what) throw new RuntimeError($"setup plan: {what} is not compiled into a plan yet");
        if (process.Args is not { Count: > 0 }) throw new RuntimeError("process.args: must not be empty");
        var plan = new SetupPlan();
        if (rootFd >= 0)
        {
            int root = plan.NewSlot();
            plan.Add(PlanCode.Adopt, PlanFlags.None, "the container's root", root, rootFd);
            plan.Add(PlanCode.Pivot, PlanFlags.None, "exec: enter the container's root", Operand.None, 3, root);
            plan.Close(root, "the container's root");
        }
        int ptySlave = -1;
        if (process.Terminal == true)
        {
            // exec's terminal: a pty of the container's devpts ("/" is the container's root here), its master to the
            // console socket; no /dev/console binding (runc's exec does none either).
            int socket = plan.NewSlot(), root = plan.NewSlot();
            plan.Add(PlanCode.Adopt, PlanFlags.None, "the console socket", socket, consoleFd);
            plan.Add(PlanCode.Open, PlanFlags.None, "open / of the container", Operand.NoSlot, plan.String("/"), Sys.O_PATH | Sys.O_DIRECTORY, 0, 0, root);
            var (master, slave) = OpenPty(plan, root, process, socket);
            plan.Close(root, "/");
            plan.Add(PlanCode.SendPty, PlanFlags.None, "send pty master to the console socket", socket, master);
            plan.Close(master, "the pty master");
            plan.Close(socket, "the console socket");
            ptySlave = slave;
        }
        Rlimits(plan, process.Rlimits);
        FindExecutable(plan, process.Args, process.Env ?? [], process.Cwd ?? "/");
        plan.Add(PlanCode.Sync, PlanFlags.None, "report ready", (int)PlanReport.Ready);
        var config = new InitConfig { Id = id, Spec = spec, PreserveFds = preserveFds, SeccompProgram = seccompProgram, Rootfs = containerRoot };
        BecomeProcess(plan, process, config, HomeOf(config, process.User?.Uid ?? 0), noNewKeyring: true, ptySlave);
        return plan;
    }

    /// <summary>The end of every plan: the process's identity, capabilities, seccomp filter and fds, then execve.
    /// The order is ContainerInit.Exec's (runc's finalizeNamespace): see there for why.</summary>
    internal static void BecomeProcess(SetupPlan plan, Oci.Process process, InitConfig config, string home, bool noNewKeyring, int ptySlave = -1)
    {
        if (config.SetgroupsDenied && process.User?.AdditionalGids is { Count: > 0 })
            throw new RuntimeError("process.user.additionalGids: cannot be set in a rootless container whose user namespace denies setgroups (map several gids with newgidmap)");
        var user = process.User ?? new User();
        var caps = CapabilitySets.From(process.Capabilities);
        var env = (process.Env ?? []).ToList();
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal))) env.Add("HOME=" + home);

        if (!noNewKeyring)
            plan.Add(PlanCode.Keyring, PlanFlags.None, "join a new session keyring (use --no-new-keyring to skip)", plan.String("_ses." + config.Id));
        if (ptySlave >= 0)
            plan.Add(PlanCode.ControllingTerminal, PlanFlags.None, "make the pty the controlling terminal and stdio (setsid, TIOCSCTTY)", ptySlave);
        plan.Add(PlanCode.Umask, PlanFlags.None, "umask", user.Umask ?? 0x12u);
        bool noNewPrivs = process.NoNewPrivileges == true;
        bool closeEarly = !Defences.IsDisabled("close-range-before-seccomp");
        bool closeFds = !Defences.IsDisabled("close-fds-before-exec");
        int firstClosed = 3 + config.PreserveFds;
        // CVE-2024-21626: no host fd may reach the process; before any seccomp filter, which may deny close_range.
        if (closeFds && closeEarly)
            plan.Add(PlanCode.CloseFrom, PlanFlags.None, $"close_range {firstClosed}.. (close-on-exec)", firstClosed);
        if (!noNewPrivs) Seccomp(plan, config);
        plan.Add(PlanCode.CapBoundingSet, PlanFlags.None, "drop capabilities from the bounding set (process.capabilities.bounding)", caps.Bounding, CapabilitySets.LastCap());
        plan.Add(PlanCode.Prctl, PlanFlags.None, "prctl PR_SET_KEEPCAPS", Sys.PR_SET_KEEPCAPS, 1);
        var cwd = process.Cwd ?? "/";
        plan.Add(PlanCode.Chdir, PlanFlags.Try, $"process.cwd: chdir {cwd}", plan.String(cwd)); // as root first; retried as the user
        var gids = user.AdditionalGids ?? [];
        var gidBytes = new byte[gids.Count * 4];
        for (int i = 0; i < gids.Count; i++) BitConverter.TryWriteBytes(gidBytes.AsSpan(i * 4), gids[i]);
        plan.Add(PlanCode.Ids, PlanFlags.None, $"setgroups/setresgid/setresuid {user.Uid}:{user.Gid} (process.user)",
            user.Uid, user.Gid, plan.Blob(gidBytes, "[" + string.Join(",", gids) + "]"), gids.Count, !config.SetgroupsDenied);
        plan.Add(PlanCode.Prctl, PlanFlags.None, "prctl PR_SET_KEEPCAPS", Sys.PR_SET_KEEPCAPS, 0);
        int last = CapabilitySets.LastCap();
        ulong known = last >= 63 ? ulong.MaxValue : last < 0 ? 0 : (1UL << (last + 1)) - 1;
        plan.Add(PlanCode.CapSet, PlanFlags.None, "capset (process.capabilities effective/permitted/inheritable/ambient)",
            caps.Effective & known, caps.Permitted & known, caps.Inheritable & known, caps.Ambient & known);
        plan.Add(PlanCode.Chdir, PlanFlags.IfFailed, $"process.cwd: chdir {cwd}", plan.String(cwd));
        if (!Defences.IsDisabled("verify-cwd"))
            plan.Add(PlanCode.VerifyCwd, PlanFlags.None, $"process.cwd: {cwd} is outside the container root");
        if (noNewPrivs)
        {
            plan.Add(PlanCode.Prctl, PlanFlags.None, "process.noNewPrivileges: prctl PR_SET_NO_NEW_PRIVS", Sys.PR_SET_NO_NEW_PRIVS, 1);
            Seccomp(plan, config);
        }
        if (closeFds && !closeEarly) // the order before the fix: after seccomp, result ignored
            plan.Add(PlanCode.CloseFrom, PlanFlags.IgnoreError, $"close_range {firstClosed}..", firstClosed);
        plan.Add(PlanCode.Exec, PlanFlags.None, $"exec {process.Args![0]} (process.args[0])", plan.List(process.Args!), plan.List(env));
    }

    private static void Seccomp(SetupPlan plan, InitConfig config)
    {
        if (config.SeccompProgram is null) return;
        var bytes = Convert.FromBase64String(config.SeccompProgram);
        var errors = new List<string>();
        uint flags = Carton.Linux.Seccomp.SeccompFilter.ParseFlags(config.Spec.Linux!.Seccomp!.Flags ?? [], false, errors);
        if (errors.Count > 0) throw new RuntimeError(string.Join("; ", errors));
        plan.Add(PlanCode.Seccomp, PlanFlags.None, "linux.seccomp: seccomp(SECCOMP_SET_MODE_FILTER)",
            plan.Blob(bytes, $"<{bytes.Length / 8} BPF instructions>"), bytes.Length / 8, flags);
    }

    /// <summary>process.args[0] looked up before `create` reports ready, so that a missing program fails `create`
    /// (as with runc): the candidates in PATH order, checked by stat in the container, the first executable one kept.</summary>
    internal static void FindExecutable(SetupPlan plan, IReadOnlyList<string> args, IReadOnlyList<string> env, string cwd)
    {
        var name = args.Count > 0 ? args[0] : throw new RuntimeError("process.args: must not be empty");
        if (name.Length == 0) throw new RuntimeError("process.args[0]: must not be empty");
        List<string> check, run;
        if (name.Contains('/'))
        {
            check = [name.StartsWith('/') ? name : Path.Combine(cwd, name)];
            run = [name];
            plan.Add(PlanCode.FindExec, PlanFlags.None, $"process.args[0]: exec: \"{name}\"",
                e => e == Errno.EACCES ? $"process.args[0]: exec: \"{name}\": permission denied" : $"process.args[0]: exec: \"{name}\": no such file or directory",
                plan.List(check), plan.List(run));
            return;
        }
        var pathVar = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..]
            ?? throw new RuntimeError($"process.args[0]: exec: \"{name}\": executable file not found in $PATH (process.env has no PATH)");
        check = pathVar.Split(':').Select(dir => Path.Combine(dir.Length == 0 ? "." : dir, name)).ToList();
        run = check;
        plan.Add(PlanCode.FindExec, PlanFlags.None, $"process.args[0]: exec: \"{name}\"",
            _ => $"process.args[0]: exec: \"{name}\": executable file not found in $PATH", plan.List(check), plan.List(run));
    }

    internal static void Rlimits(SetupPlan plan, IReadOnlyList<PosixRlimit>? limits)
    {
        if (limits is null) return;
        for (int i = 0; i < limits.Count; i++)
        {
            var l = limits[i];
            if (!KnownRlimits.TryGetResource(l.Type ?? "", out var resource))
                throw new RuntimeError($"process.rlimits[{i}].type: unknown rlimit \"{l.Type}\"");
            plan.Add(PlanCode.Rlimit, PlanFlags.None, $"process.rlimits[{i}]: setrlimit {l.Type} soft {l.Soft} hard {l.Hard}", resource, l.Soft, l.Hard);
        }
    }

    private static void ProcWrite(SetupPlan plan, int proc, string path, string value, string field) =>
        plan.Add(PlanCode.Write, PlanFlags.None, $"{field}: write /proc/{path}",
            e => e is Errno.EXDEV or Errno.ELOOP
                ? $"{field}: write /proc/{path}: it is not on the procfs at /proc (something is mounted over it, or it is a link), refusing to write: {Errno.Describe(e)}"
                : null,
            proc, plan.String(path), plan.String(value));

    internal static void Mount(SetupPlan plan, string what, string? source, string? target, string? type, ulong mountFlags,
        string? data = null, PlanFlags opFlags = PlanFlags.None, int targetSlot = -1, string? fallback = null, Func<int, string?>? explain = null) =>
        plan.Add(PlanCode.Mount, opFlags, what, explain,
            plan.String(source), Operand.NoSlot, targetSlot >= 0 ? Operand.None : plan.String(target), targetSlot >= 0 ? targetSlot : Operand.NoSlot,
            plan.String(type), mountFlags, plan.String(data), plan.String(fallback));

    private static void DeviceNodes(SetupPlan plan, int root, IEnumerable<(string Path, char Type, uint Major, uint Minor, uint Mode, uint Uid, uint Gid, string What)> nodes, bool bindFromHost)
    {
        foreach (var (path, type, major, minor, mode, uid, gid, what) in nodes)
        {
            int slash = path.LastIndexOf('/');
            string dir = slash <= 0 ? "/" : path[..slash];
            string name = path[(slash + 1)..];
            int dirSlot = plan.NewSlot();
            plan.Add(PlanCode.OpenCreate, PlanFlags.None, $"{what}: create {dir} in the container root", root, plan.String(dir), 0, dirSlot);
            // A device node the image shipped (or a symlink it planted) is replaced, never written through.
            plan.Add(PlanCode.Unlink, PlanFlags.None, $"{what}: unlink {path}", dirSlot, plan.String(name), 0);
            if (bindFromHost)
            {
                // In a user namespace mknod is not allowed: bind the host's node, as runc does.
                int target = plan.NewSlot();
                plan.Add(PlanCode.OpenCreate, PlanFlags.None, $"{what}: create {path} in the container root", root, plan.String(path), 1, target);
                Mount(plan, $"{what}: bind mount host {path}", path, null, null, MS_BIND, targetSlot: target);
                plan.Close(target, what);
            }
            else
            {
                int fileType = type switch { 'b' => Sys.S_IFBLK, 'p' => Sys.S_IFIFO, _ => Sys.S_IFCHR };
                plan.Add(PlanCode.Mknod, PlanFlags.None, $"{what}: mknod {path}", dirSlot, plan.String(name),
                    (uint)(fileType | (int)(mode & 0xFFF)), type == 'p' ? 0UL : Sys.MakeDev(major, minor), uid, gid);
            }
            plan.Close(dirSlot, what);
        }
    }

    /// <summary>/dev/fd, /dev/std{in,out,err}, /dev/core and /dev/ptmx -> pts/ptmx, as runc makes them.</summary>
    private static void DeviceLinks(SetupPlan plan, int root, bool hasDevPts)
    {
        var links = new List<(string Target, string Link)>
        {
            ("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"), ("/proc/self/fd/2", "stderr"),
        };
        if (File.Exists("/proc/kcore")) links.Add(("/proc/kcore", "core"));
        if (hasDevPts) links.Add(("pts/ptmx", "ptmx"));
        int dev = plan.NewSlot();
        plan.Add(PlanCode.OpenCreate, PlanFlags.None, "/dev: create /dev in the container root", root, plan.String("/dev"), 0, dev);
        foreach (var (target, link) in links)
        {
            if (link == "ptmx") plan.Add(PlanCode.Unlink, PlanFlags.None, "unlink /dev/ptmx", dev, plan.String(link), 0);
            plan.Add(PlanCode.Symlink, PlanFlags.IgnoreEexist, $"symlink /dev/{link} -> {target}", plan.String(target), dev, plan.String(link));
        }
        plan.Close(dev, "/dev");
    }

    /// <summary>The user's home for HOME when process.env has none: /etc/passwd of the image (read from the host side,
    /// inside the root; a bind mount over /etc/passwd is read at its source), "/" when the uid is not there.</summary>
    internal static string HomeOf(InitConfig config, uint uid)
    {
        string? text = null;
        var passwdMount = config.Spec.Mounts?.LastOrDefault(m => m.Destination?.TrimEnd('/') == "/etc/passwd" && m.Source is not null);
        if (passwdMount is not null)
        {
            var src = passwdMount.Source!.StartsWith('/') ? passwdMount.Source : Path.Combine(config.Bundle, passwdMount.Source);
            try { text = File.ReadAllText(src); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        else
        {
            int rootFd = FileDescriptor.TryOpen(config.Rootfs, OpenFlags.PathOnly | OpenFlags.Directory);
            if (rootFd >= 0)
            {
                try { SecurePath.TryReadText(rootFd, "/etc/passwd", 1 << 20, out text); }
                finally { FileDescriptor.Close(rootFd); }
            }
        }
        var id = uid.ToString(CultureInfo.InvariantCulture);
        foreach (var line in (text ?? "").Split('\n'))
        {
            var f = line.Split(':');
            if (f.Length >= 6 && f[2] == id) return f[5];
        }
        return "/";
    }

    internal static ulong? Propagation(string? name) => name switch
    {
        null or "" => null,
        "shared" => MS_SHARED, "slave" => MS_SLAVE, "private" => MS_PRIVATE, "unbindable" => MS_UNBINDABLE,
        "rshared" => MS_SHARED | MS_REC, "rslave" => MS_SLAVE | MS_REC, "rprivate" => MS_PRIVATE | MS_REC, "runbindable" => MS_UNBINDABLE | MS_REC,
        _ => throw new RuntimeError($"linux.rootfsPropagation: unknown propagation \"{name}\""),
    };
}
