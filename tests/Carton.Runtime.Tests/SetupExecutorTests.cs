using System.Buffers.Binary;
using System.Runtime.Versioning;
using Carton.Linux.IO;
using Carton.Linux.Processes;
using Carton.Linux.Spawn;
using Carton.Runtime.Plan;

namespace Carton.Runtime.Tests;

/// <summary>
/// carton-dmz run on small plans, each in a mount namespace of its own (as root): what an operation does, and the
/// (index, errno) it reports when it fails. The effects are observed by the plan's last operation, an exec of a host
/// shell that writes what it sees into the test's directory.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SetupExecutorTests : IDisposable
{
    private const int CloneNewNs = 0x00020000;
    private readonly string _dir = Directory.CreateTempSubdirectory("carton-dmz-").FullName;
    private readonly string _root;

    public SetupExecutorTests()
    {
        _root = Path.Combine(_dir, "root");
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private static bool CanRun => Environment.UserName == "root" && SetupExecutor.Path is not null;

    /// <summary>Runs the plan; returns the reports (kind, index, errno) and the executor's (or its exec's) exit code.</summary>
    private static (List<(PlanReport Kind, int Index, int Errno)> Reports, int Exit) Run(SetupPlan plan, byte[]? raw = null)
    {
        var (parent, child) = SocketPair.Create("test socketpair");
        int pid;
        try
        {
            var spawn = new SpawnOptions
            {
                ExecFd = SetupExecutor.SealedFd, Path = "/proc/self/exe", Args = ["carton-dmz", child.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                Env = [], NewNamespaceFlags = CloneNewNs,
            };
            spawn.KeepFds.Add(child);
            pid = Spawner.Spawn(spawn, "start carton-dmz");
        }
        finally { FileDescriptor.Close(child); }
        var reports = new List<(PlanReport, int, int)>();
        try
        {
            FileDescriptor.WriteAll(parent, raw ?? plan.Encode(), "write plan");
            var rec = new byte[12];
            while (true)
            {
                int got = 0;
                while (got < 12)
                {
                    int n = FileDescriptor.Read(parent, rec.AsSpan(got));
                    if (n <= 0) break;
                    got += n;
                }
                if (got < 12) break;
                reports.Add(((PlanReport)BinaryPrimitives.ReadInt32LittleEndian(rec), BinaryPrimitives.ReadInt32LittleEndian(rec.AsSpan(4)), BinaryPrimitives.ReadInt32LittleEndian(rec.AsSpan(8))));
            }
        }
        finally { FileDescriptor.Close(parent); }
        var status = ChildProcess.Wait(pid, "wait for carton-dmz");
        return (reports, status.Exited ? status.ExitCode : 128 + status.TermSignal);
    }

    /// <summary>Nothing a test plan mounts may reach the host: its mount namespace becomes a slave first.</summary>
    private static void Private(SetupPlan plan) =>
        plan.Add(PlanCode.Mount, PlanFlags.None, "make / a slave", Operand.None, Operand.NoSlot, plan.String("/"), Operand.NoSlot, Operand.None, 0x80000UL | 0x4000UL, Operand.None, Operand.None);

    private int OpenRoot(SetupPlan plan)
    {
        int root = plan.NewSlot();
        plan.Add(PlanCode.Open, PlanFlags.None, "open root", Operand.NoSlot, plan.String(_root), Sys.O_PATH | Sys.O_DIRECTORY, 0, 0, root);
        return root;
    }

    private void Shell(SetupPlan plan, string script) =>
        plan.Add(PlanCode.Exec, PlanFlags.None, "exec sh", plan.List(["sh", "-c", script]), plan.List(["PATH=/usr/bin:/bin"]));

    private static void Find(SetupPlan plan) =>
        plan.Add(PlanCode.FindExec, PlanFlags.None, "find sh", plan.List(["/bin/sh"]), plan.List(["/bin/sh"]));

    [Fact]
    public void OpenCreateMountAndProcWrite_TakeEffect_ThenReadyAndExec()
    {
        if (!CanRun) return;
        var plan = new SetupPlan();
        Private(plan);
        int proc = plan.NewSlot();
        plan.Add(PlanCode.ProcFs, PlanFlags.None, "procfs", proc, plan.String("/proc"));
        int root = OpenRoot(plan);
        int t = plan.NewSlot();
        plan.Add(PlanCode.OpenCreate, PlanFlags.None, "create a/b", root, plan.String("/a/b"), 0, t);
        plan.Add(PlanCode.Mount, PlanFlags.None, "tmpfs", plan.String("tmpfs"), Operand.NoSlot, Operand.None, t, plan.String("tmpfs"), 0, plan.String("size=1m"), Operand.None);
        plan.Add(PlanCode.Write, PlanFlags.None, "oom", proc, plan.String("self/oom_score_adj"), plan.String("123"));
        Find(plan);
        plan.Add(PlanCode.Sync, PlanFlags.None, "ready", (int)PlanReport.Ready);
        Shell(plan, $"grep -q ' {_root}/a/b .*tmpfs' /proc/self/mountinfo && cat /proc/self/oom_score_adj > {_dir}/oom");
        var (reports, exit) = Run(plan);
        Assert.Equal([(PlanReport.Ready, 0, 0)], reports);
        Assert.Equal(0, exit);
        Assert.True(Directory.Exists(Path.Combine(_root, "a", "b")));
        Assert.Equal("123", File.ReadAllText(Path.Combine(_dir, "oom")).Trim());
    }

    [Fact]
    public void OpenCreate_ThroughADanglingSymlink_CreatesItsTargetInsideTheRoot()
    {
        if (!CanRun) return;
        var outside = Path.Combine(_dir, "outside-" + Guid.NewGuid().ToString("N"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), outside); // absolute: must resolve inside the root
        var plan = new SetupPlan();
        int root = OpenRoot(plan);
        int t = plan.NewSlot();
        plan.Add(PlanCode.OpenCreate, PlanFlags.None, "create link/x", root, plan.String("/link/x"), 1, t);
        Find(plan);
        plan.Add(PlanCode.Sync, PlanFlags.None, "ready", (int)PlanReport.Ready);
        Shell(plan, "true");
        var (_, exit) = Run(plan);
        Assert.Equal(0, exit);
        Assert.False(Path.Exists(outside));
        Assert.True(File.Exists(_root + outside + "/x"));
    }

    [Fact]
    public void AFailure_ReportsTheOperationIndexAndErrno_AndRunsNothingAfter()
    {
        if (!CanRun) return;
        File.WriteAllText(Path.Combine(_root, "file"), "");
        var plan = new SetupPlan();
        int root = OpenRoot(plan);
        int t = plan.NewSlot();
        int failing = plan.Add(PlanCode.OpenCreate, PlanFlags.None, "mounts[0] (/file/x): open /file/x in the container root", root, plan.String("/file/x"), 0, t);
        Find(plan);
        plan.Add(PlanCode.Sync, PlanFlags.None, "ready", (int)PlanReport.Ready);
        Shell(plan, $"touch {_dir}/ran");
        var (reports, exit) = Run(plan);
        Assert.Equal([(PlanReport.Error, failing, 20 /* ENOTDIR */)], reports);
        Assert.Equal(1, exit);
        Assert.False(File.Exists(Path.Combine(_dir, "ran")));
        Assert.Equal("mounts[0] (/file/x): open /file/x in the container root: not a directory (ENOTDIR)", plan.Describe(reports[0].Index, reports[0].Errno));
    }

    [Fact]
    public void Mask_RefusesAFakeDevNull_ReportingAFailedCheck()
    {
        if (!CanRun) return;
        // CVE-2025-31133: the image's /dev/null is a regular file; binding it over a masked file must be refused.
        Directory.CreateDirectory(Path.Combine(_root, "dev"));
        File.WriteAllText(Path.Combine(_root, "dev", "null"), "");
        File.WriteAllText(Path.Combine(_root, "secret"), "s");
        var plan = new SetupPlan();
        int root = OpenRoot(plan);
        int mask = plan.Add(PlanCode.Mask, PlanFlags.None, "linux.maskedPaths[0]: mask /secret", root, plan.String("/secret"));
        var (reports, exit) = Run(plan);
        Assert.Equal([(PlanReport.Error, mask, 0)], reports);
        Assert.Equal(1, exit);
    }

    [Fact]
    public void NotSymlink_And_CheckFsIsNot_RefuseWhatTheyMust()
    {
        if (!CanRun) return;
        File.CreateSymbolicLink(Path.Combine(_root, "proc"), "/etc");
        var plan = new SetupPlan();
        int root = OpenRoot(plan);
        int refuse = plan.Add(PlanCode.NotSymlink, PlanFlags.None, "proc is a symlink", root, plan.String("/"), plan.String("proc"));
        Assert.Equal([(PlanReport.Error, refuse, 0)], Run(plan).Reports);

        var second = new SetupPlan();
        int proc = second.NewSlot();
        second.Add(PlanCode.Open, PlanFlags.None, "open /proc/sys", Operand.NoSlot, second.String("/proc/sys"), Sys.O_PATH, 0, 0, proc);
        int check = second.Add(PlanCode.Check, PlanFlags.None, "on procfs", proc, (int)CheckKind.FsIsNot, Sys.PROC_SUPER_MAGIC);
        Assert.Equal([(PlanReport.Error, check, 0)], Run(second).Reports);
    }

    [Fact]
    public void Write_GoesThroughTheVerifiedProcfsOnly_NeverThroughALink()
    {
        if (!CanRun) return;
        // self/root is a magic link to "/": a write resolved through it would land on the host's file system.
        var plan = new SetupPlan();
        int proc = plan.NewSlot();
        plan.Add(PlanCode.ProcFs, PlanFlags.None, "procfs", proc, plan.String("/proc"));
        int write = plan.Add(PlanCode.Write, PlanFlags.None, "write", proc, plan.String("self/root/" + _dir.TrimStart('/') + "/escaped"), plan.String("x"));
        Assert.Equal([(PlanReport.Error, write, 40 /* ELOOP */)], Run(plan).Reports);
        Assert.False(File.Exists(Path.Combine(_dir, "escaped")));
    }

    [Fact]
    public void MalformedPlans_AreRefusedBeforeAnyOperation()
    {
        if (!CanRun) return;
        var plan = new SetupPlan();
        Find(plan);
        var bytes = plan.Encode();
        bytes[0] ^= 0xff; // bad magic
        var (reports, exit) = Run(plan, bytes);
        Assert.Empty(reports);
        Assert.Equal(2, exit);
        var truncated = plan.Encode();
        BinaryPrimitives.WriteUInt32LittleEndian(truncated.AsSpan(8), 1000); // more operations than the size holds
        Assert.Equal(2, Run(plan, truncated).Exit);
    }

    [Fact]
    public void PostReadyFailure_PrintsTheMessageCompiledIntoThePlan()
    {
        if (!CanRun) return;
        var plan = new SetupPlan();
        plan.Add(PlanCode.Sync, PlanFlags.None, "ready", (int)PlanReport.Ready);
        plan.Add(PlanCode.Chdir, PlanFlags.None, "process.cwd: chdir /nonexistent-carton", plan.String("/nonexistent-carton"));
        Assert.True(plan.Operations[1].Message.IsReference);
        var (reports, exit) = Run(plan);
        Assert.Equal([(PlanReport.Ready, 0, 0)], reports);
        Assert.Equal(1, exit);
    }
}
