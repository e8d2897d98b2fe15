using System.Buffers.Binary;
using System.Runtime.Versioning;
using System.Text;
using Carton.Oci;
using Carton.Runtime.Plan;
using static Carton.Oci.MountConstants;

namespace Carton.Runtime.Tests;

/// <summary>
/// The setup plan compiled from a config, asserted without a kernel (issue 14: the syscall seam): which operations,
/// in which order, with which operands, checks and messages. The executor's side is covered by the integration
/// suite, which runs every container through these plans, and by SetupExecutorTests.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PlanCompilerTests : IDisposable
{
    private readonly string _bundle = Directory.CreateTempSubdirectory("carton-plan-").FullName;

    public PlanCompilerTests()
    {
        Directory.CreateDirectory(Path.Combine(_bundle, "rootfs", "etc"));
        File.WriteAllText(Path.Combine(_bundle, "rootfs", "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    }

    public void Dispose() => Directory.Delete(_bundle, true);

    private InitConfig Config(Action<Spec>? change = null)
    {
        var spec = DefaultSpec.Create(rootless: false);
        spec.Process!.Terminal = false;
        spec.Process.Args = ["sh", "-c", "true"];
        change?.Invoke(spec);
        return new InitConfig
        {
            Id = "c1", Bundle = _bundle, Rootfs = Path.Combine(_bundle, "rootfs"), Spec = spec, FifoFd = 7,
            CgroupMounts = [new CgroupMountSource { Name = "memory", HostPath = "/sys/fs/cgroup/memory/c1", Controllers = "memory" }],
        };
    }

    private static List<PlanCode> Codes(SetupPlan p) => p.Operations.Select(o => o.Code).ToList();

    private static int IndexOf(SetupPlan p, PlanCode code, Func<PlanOperation, bool>? where = null) =>
        p.Operations.ToList().FindIndex(o => o.Code == code && (where?.Invoke(o) ?? true));

    private static int LastIndexOf(SetupPlan p, PlanCode code) => p.Operations.ToList().FindLastIndex(o => o.Code == code);

    [Fact]
    public void DefaultConfig_BuildsTheRootBeforePivotAndBecomesTheProcessAfterStart()
    {
        var p = PlanCompiler.CompileCreate(Config());
        int procfs = IndexOf(p, PlanCode.ProcFs), firstMount = IndexOf(p, PlanCode.Mount), pivot = IndexOf(p, PlanCode.Pivot);
        int ready = IndexOf(p, PlanCode.Sync), fifo = IndexOf(p, PlanCode.WaitFifo), exec = IndexOf(p, PlanCode.Exec);
        // The procfs handle is verified before the container mounts anything; every mount is made before pivot_root,
        // masks after it; ready is reported only once the executable is found; the identity changes after start.
        Assert.True(procfs >= 0 && procfs < firstMount, "procfs first");
        Assert.True(LastIndexOf(p, PlanCode.Mknod) < pivot && IndexOf(p, PlanCode.Mask) > pivot, "devices before pivot, masks after");
        Assert.True(IndexOf(p, PlanCode.FindExec) < ready && ready < fifo, "find, ready, wait");
        Assert.True(fifo < IndexOf(p, PlanCode.Ids) && IndexOf(p, PlanCode.CapSet) < exec, "identity after start");
        Assert.Equal(exec, p.Operations.Count - 1);
        Assert.Equal((long)PlanReport.Ready, p.Operations[ready].Args[0].Value);
        Assert.Equal(0, p.Operations[pivot].Args[1].Value); // pivot_root, not chroot
    }

    [Fact]
    public void EveryMountTarget_IsOpenedInTheRootAndCheckedNotToBeOnProcfs()
    {
        var p = PlanCompiler.CompileCreate(Config());
        var ops = p.Operations;
        foreach (var (op, i) in ops.Select((o, i) => (o, i)).Where(x => x.o.Code == PlanCode.OpenCreate && x.o.What.StartsWith("mounts[", StringComparison.Ordinal) && x.o.What.Contains(": open ", StringComparison.Ordinal)))
        {
            var check = ops[i + 1];
            Assert.Equal(PlanCode.Check, check.Code);
            Assert.Equal((long)CheckKind.FsIsNot, check.Args[1].Value);
            Assert.Equal(Sys.PROC_SUPER_MAGIC, check.Args[2].Value);
            Assert.Equal(op.Args[3].Value, check.Args[0].Value); // the slot just opened
        }
        // proc and sysfs destinations must not be symlinks (CVE-2019-16884): checked before anything is opened there.
        int notLink = IndexOf(p, PlanCode.NotSymlink, o => o.Args[2].Text == "\"proc\"");
        int procMount = IndexOf(p, PlanCode.Mount, o => o.Args[4].Text == "\"proc\"");
        Assert.True(notLink >= 0 && notLink < procMount);
        Assert.Equal(-1, ops[procMount].Args[1].Value); // source is a string, the target a slot
        Assert.True(ops[procMount].Args[3].Value >= 0);
    }

    [Fact]
    public void BindMounts_FileOrDirectoryFromTheHost_RemountedForTheirFlags()
    {
        var file = Path.Combine(_bundle, "hosts");
        File.WriteAllText(file, "127.0.0.1 localhost\n");
        var p = PlanCompiler.CompileCreate(Config(s => s.Mounts!.AddRange(
        [
            new Mount { Destination = "/etc/hosts", Type = "bind", Source = file, Options = ["rbind", "ro"] },
            new Mount { Destination = "/data", Type = "bind", Source = _bundle, Options = ["bind", "nosuid"] },
        ])));
        int n = DefaultSpec.Create(false).Mounts!.Count;
        var hosts = p.Operations.Where(o => o.What.StartsWith($"mounts[{n}] ", StringComparison.Ordinal)).ToList();
        Assert.Equal(1, hosts.First(o => o.Code == PlanCode.OpenCreate).Args[2].Value); // a file target for a file
        var bind = hosts.First(o => o.Code == PlanCode.Mount);
        Assert.Equal((long)(MS_BIND | MS_REC), bind.Args[5].Value);
        var remount = hosts.Last(o => o.Code == PlanCode.Mount);
        Assert.Equal(MS_REMOUNT | MS_BIND | MS_RDONLY, (ulong)remount.Args[5].Value & (MS_REMOUNT | MS_BIND | MS_RDONLY));
        var data = p.Operations.Where(o => o.What.StartsWith($"mounts[{n + 1}] ", StringComparison.Ordinal)).ToList();
        Assert.Equal(0, data.First(o => o.Code == PlanCode.OpenCreate).Args[2].Value);
        Assert.Equal(MS_NOSUID, (ulong)data.Last(o => o.Code == PlanCode.Mount).Args[5].Value & MS_NOSUID);
    }

    [Fact]
    public void MissingBindSource_FailsAtCompileTimeNamingTheMount()
    {
        var e = Assert.ThrowsAny<Exception>(() => PlanCompiler.CompileCreate(Config(s => s.Mounts!.Add(
            new Mount { Destination = "/x", Type = "bind", Source = "/nonexistent/carton-plan", Options = ["bind"] }))));
        Assert.Contains("mounts[", e.Message);
        Assert.Contains("bind source /nonexistent/carton-plan", e.Message);
    }

    [Fact]
    public void ReadonlyTmpfs_IsMountedWritableThenRemountedReadonly()
    {
        var p = PlanCompiler.CompileCreate(Config(s => s.Mounts!.Add(new Mount { Destination = "/ro", Type = "tmpfs", Source = "tmpfs", Options = ["ro"] })));
        var mounts = p.Operations.Where(o => o.Code == PlanCode.Mount && o.What.Contains("(/ro)", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, mounts.Count);
        Assert.Equal(0UL, (ulong)mounts[0].Args[5].Value & MS_RDONLY);
        Assert.Equal(MS_REMOUNT | MS_BIND | MS_RDONLY, (ulong)mounts[1].Args[5].Value & (MS_REMOUNT | MS_BIND | MS_RDONLY));
    }

    [Fact]
    public void Failure_MapsBackToTheJsonPath()
    {
        var p = PlanCompiler.CompileCreate(Config());
        int i = IndexOf(p, PlanCode.Mount, o => o.Args[4].Text == "\"sysfs\"");
        int sys = DefaultSpec.Create(false).Mounts!.FindIndex(m => m.Type == "sysfs");
        Assert.Equal($"mounts[{sys}] (/sys): mount sysfs at /sys: operation not permitted (EPERM)", p.Describe(i, 1));
        int check = IndexOf(p, PlanCode.NotSymlink);
        Assert.Contains("is a symlink, refusing to mount proc", p.Describe(check, 0));
        int find = IndexOf(p, PlanCode.FindExec);
        Assert.Equal("process.args[0]: exec: \"sh\": executable file not found in $PATH", p.Describe(find, 2));
    }

    [Fact]
    public void Sysctls_OomScoreAndHostname_GoThroughTheVerifiedProcfsSlot()
    {
        var p = PlanCompiler.CompileCreate(Config(s =>
        {
            s.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" };
            s.Process!.OomScoreAdj = -5;
            s.Hostname = "box";
        }));
        int procSlot = (int)p.Operations[IndexOf(p, PlanCode.ProcFs)].Args[0].Value;
        var writes = p.Operations.Where(o => o.Code == PlanCode.Write).ToList();
        Assert.All(writes, w => Assert.Equal(procSlot, w.Args[0].Value));
        Assert.Contains(writes, w => w.Args[1].Text == "\"sys/net/ipv4/ip_forward\"" && w.Args[2].Text == "\"1\"");
        var oom = writes.Single(w => w.Args[1].Text == "\"self/oom_score_adj\"");
        Assert.Contains("a negative value needs CAP_SYS_RESOURCE", p.Describe(p.Operations.ToList().IndexOf(oom), 13));
        Assert.Contains(p.Operations, o => o.Code == PlanCode.Hostname && o.Args[0].Text == "\"box\"");
    }

    [Fact]
    public void UserNamespace_BindsHostDevicesAndFallsBackToTheHostSysfs()
    {
        var p = PlanCompiler.CompileCreate(Config(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" })));
        Assert.DoesNotContain(p.Operations, o => o.Code == PlanCode.Mknod);
        Assert.Contains(p.Operations, o => o.Code == PlanCode.Mount && o.What.Contains("bind mount host /dev/null", StringComparison.Ordinal));
        var sysfs = p.Operations.Single(o => o.Code == PlanCode.Mount && o.Args[4].Text == "\"sysfs\"");
        Assert.True(sysfs.Flags.HasFlag(PlanFlags.FallbackBind));
        Assert.Equal("\"/sys\"", sysfs.Args[7].Text);
    }

    [Fact]
    public void NoMountNamespace_MountsNothingAndChroots()
    {
        var p = PlanCompiler.CompileCreate(Config(s =>
        {
            s.Linux!.Namespaces!.RemoveAll(n => n.Type == "mount");
            s.Mounts = [];
            s.Linux.MaskedPaths = [];
            s.Linux.ReadonlyPaths = [];
            s.Root!.Readonly = false; // SpecValidator refuses root.readonly without a mount namespace
        }));
        Assert.DoesNotContain(p.Operations, o => o.Code is PlanCode.Mount or PlanCode.Mknod);
        Assert.Equal(2, p.Operations[IndexOf(p, PlanCode.Pivot)].Args[1].Value);
    }

    [Fact]
    public void Process_IdentityCapabilitiesAndHomeFromTheImage()
    {
        var p = PlanCompiler.CompileCreate(Config(s =>
        {
            s.Process!.User = new User { Uid = 1000, Gid = 1000, AdditionalGids = [10, 20] };
            s.Process.Env = ["PATH=/bin"];
            s.Process.Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"] };
        }));
        var ids = p.Operations.Single(o => o.Code == PlanCode.Ids);
        Assert.Equal(1000, ids.Args[0].Value);
        Assert.Equal(2, ids.Args[3].Value);
        Assert.Equal(1, ids.Args[4].Value); // setgroups allowed
        Assert.Equal(1L << 5, p.Operations.Single(o => o.Code == PlanCode.CapBoundingSet).Args[0].Value);
        var exec = p.Operations.Single(o => o.Code == PlanCode.Exec);
        Assert.Contains("\"HOME=/home/alice\"", exec.Args[1].Text);
        // Post-ready failures are printed by the executor itself: their message travels in the plan.
        Assert.True(exec.Message.IsReference);
        Assert.Equal(0, p.Operations[IndexOf(p, PlanCode.FindExec)].Message.Value);
    }

    [Fact]
    public void SeccompWithoutNoNewPrivileges_IsLoadedBeforeTheCapabilitiesGo_AfterFdsAreClosed()
    {
        var p = PlanCompiler.CompileCreate(WithSeccomp(Config(s => s.Process!.NoNewPrivileges = false)));
        int close = IndexOf(p, PlanCode.CloseFrom), seccomp = IndexOf(p, PlanCode.Seccomp), bset = IndexOf(p, PlanCode.CapBoundingSet);
        Assert.True(close < seccomp && seccomp < bset);
        var q = PlanCompiler.CompileCreate(WithSeccomp(Config(s => s.Process!.NoNewPrivileges = true)));
        Assert.True(IndexOf(q, PlanCode.Seccomp) > IndexOf(q, PlanCode.Prctl, o => o.Args[0].Value == Sys.PR_SET_NO_NEW_PRIVS));
        Assert.Equal(PlanCode.Exec, Codes(q)[IndexOf(q, PlanCode.Seccomp) + 1]);
    }

    private static InitConfig WithSeccomp(InitConfig c)
    {
        c.SeccompProgram = Convert.ToBase64String(new byte[16]);
        c.Spec.Linux!.Seccomp = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW" };
        return c;
    }

    [Fact]
    public void Unsupported_NamesWhatKeepsTheManagedInit()
    {
        Assert.Null(PlanCompiler.Unsupported(Config()));
        Assert.Null(PlanCompiler.Unsupported(Config(s => s.Process!.Terminal = true)));
        Assert.Equal("a tmpcopyup mount", PlanCompiler.Unsupported(Config(s => s.Mounts!.Add(new Mount { Destination = "/t", Type = "tmpfs", Options = ["tmpcopyup"] }))));
        Assert.Equal("hooks.createContainer", PlanCompiler.Unsupported(Config(s => s.Hooks = new Hooks { CreateContainer = [new Hook { Path = "/bin/true" }] })));
        Assert.Throws<RuntimeError>(() => PlanCompiler.CompileCreate(Config(s => s.Mounts!.Add(new Mount { Destination = "/t", Type = "tmpfs", Options = ["tmpcopyup"] }))));
    }

    [Fact]
    public void Terminal_PtyFromTheRoot_BoundOverAFreshConsole_SentThenMadeTheControllingTerminal()
    {
        var c = Config(s => { s.Process!.Terminal = true; s.Process.ConsoleSize = new ConsoleBox { Height = 40, Width = 120 }; });
        c.ConsoleFd = 9;
        var p = PlanCompiler.CompileCreate(c);
        int pty = IndexOf(p, PlanCode.Pty), unlink = IndexOf(p, PlanCode.Unlink, o => o.Args[1].Text == "\"console\"");
        int check = IndexOf(p, PlanCode.Check, o => o.Args[1].Value == (long)CheckKind.TypeIs);
        int bind = IndexOf(p, PlanCode.Mount, o => o.What == "bind the pty over /dev/console");
        int send = IndexOf(p, PlanCode.SendPty), ctty = IndexOf(p, PlanCode.ControllingTerminal);
        Assert.True(pty >= 0 && pty < unlink && unlink < check && check < bind && bind < send && send < IndexOf(p, PlanCode.Pivot));
        Assert.Equal(40, p.Operations[pty].Args[1].Value);
        Assert.Equal(120, p.Operations[pty].Args[2].Value);
        Assert.Equal(p.Operations[pty].Args[4].Value, p.Operations[bind].Args[1].Value); // the slave is the bind's source
        Assert.Equal(p.Operations[pty].Args[4].Value, p.Operations[ctty].Args[0].Value);
        Assert.True(IndexOf(p, PlanCode.WaitFifo) < ctty && ctty < IndexOf(p, PlanCode.Exec));
        Assert.Contains("not a pty multiplexer", p.Describe(pty, 0));
    }

    [Fact]
    public void Encoding_HeaderOperationsAndDataAsCartonPlanHLaysThemOut()
    {
        var plan = new SetupPlan();
        int slot = plan.NewSlot();
        plan.Add(PlanCode.Open, PlanFlags.IgnoreEnoent, "open x", Operand.NoSlot, plan.String("/x"), 0, 0, 0, slot);
        plan.Add(PlanCode.Exec, PlanFlags.None, "exec", plan.List(["a", "bc"]), plan.List([]));
        var bytes = plan.Encode();
        Assert.Equal(SetupPlan.Magic, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal((uint)bytes.Length, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(0, bytes[^1]);
        int data = SetupPlan.HeaderSize + 2 * SetupPlan.OperationSize;
        var op0 = bytes.AsSpan(SetupPlan.HeaderSize);
        Assert.Equal((ushort)PlanCode.Open, BinaryPrimitives.ReadUInt16LittleEndian(op0));
        Assert.Equal((ushort)PlanFlags.IgnoreEnoent, BinaryPrimitives.ReadUInt16LittleEndian(op0[2..]));
        Assert.Equal(-1, BinaryPrimitives.ReadInt64LittleEndian(op0[8..]));
        long pathOff = BinaryPrimitives.ReadInt64LittleEndian(op0[16..]);
        Assert.Equal("/x\0", Encoding.UTF8.GetString(bytes, data + (int)pathOff, 3));
        var op1 = bytes.AsSpan(SetupPlan.HeaderSize + SetupPlan.OperationSize);
        long listOff = BinaryPrimitives.ReadInt64LittleEndian(op1[8..]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(data + (int)listOff)));
        uint second = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(data + (int)listOff + 8));
        Assert.Equal("bc\0", Encoding.UTF8.GetString(bytes, data + (int)second, 3));
    }

    [Fact]
    public void Strings_WithNul_AreRefused()
    {
        var plan = new SetupPlan();
        Assert.Throws<RuntimeError>(() => plan.String("a\0b"));
    }
}
