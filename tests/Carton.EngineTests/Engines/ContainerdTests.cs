using System.Diagnostics;
using Carton.EngineTests.Infrastructure;

namespace Carton.EngineTests.Engines;

/// <summary>
/// carton under containerd's io.containerd.runc.v2 shim, driven with ctr. ctr has no flags for a user, a hostname or
/// a pids limit, and no logs command: those are covered through dockerd and podman (which also go through this shim,
/// for dockerd) and through CRI (Cri/). Here: run and its exit code, env, cwd, read-only rootfs, memory limit, the
/// default network (a fresh namespace with only lo), a tty, detach, exec, ps, pause and resume, metrics, a graceful
/// stop by SIGTERM, kill and removal.
/// </summary>
[Collection("engines")]
public sealed class ContainerdTests(ContainerdEngine engine) : IClassFixture<ContainerdEngine>
{
    private static string NewId() => "e2e-" + Guid.NewGuid().ToString("N")[..10];

    private static string Lines(string s) => s.Replace("\r", "", StringComparison.Ordinal).Trim();

    [Fact]
    public void Run_PrintsTheOutputAndReturnsTheExitCode()
    {
        var r = engine.Run(NewId(), ["--rm"], "sh", "-c", "echo hello-from-carton; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("hello-from-carton", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AppliesEnvCwdAndReadOnly()
    {
        var r = engine.Run(NewId(), ["--rm", "--env", "GREETING=hallo", "--cwd", "/tmp"], "sh", "-c", "echo $GREETING; pwd");
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal(["hallo", "/tmp"], Lines(r.Stdout).Split('\n'));
        var ro = engine.Run(NewId(), ["--rm", "--read-only"], "sh", "-c", "touch /written 2>&1; echo rc=$?");
        Assert.Contains("Read-only file system", ro.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MemoryLimit_IsInTheCgroup()
    {
        // ctr's spec mounts no cgroup file system in the container (runc shows the same): read it from the host.
        var id = NewId();
        engine.Must("run", "-d", "--runc-binary", Paths.Carton, "--memory-limit", "50331648", Engine.Image, id, "sleep", "60");
        try
        {
            int pid = 0;
            Assert.True(Host.WaitFor(() => (pid = TaskPid(id)) > 0, TimeSpan.FromSeconds(10)), "the task never ran");
            Assert.Equal("50331648", HostCgroup.Read(pid, "memory", "memory.limit_in_bytes", "memory.max"));
        }
        finally
        {
            engine.Cli("tasks", "kill", "-s", "KILL", id);
            Host.WaitFor(() => engine.Cli("tasks", "rm", id).Succeeded, TimeSpan.FromSeconds(10));
            engine.Cli("containers", "rm", id);
        }
    }

    /// <summary>The task's pid from `ctr tasks ls` (0 when it is not listed or not running).</summary>
    private int TaskPid(string id)
    {
        foreach (var line in engine.Cli("tasks", "ls").Stdout.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3 && f[0] == id && f[2] == "RUNNING" && int.TryParse(f[1], out var pid)) return pid;
        }
        return 0;
    }

    [Fact]
    public void Run_DefaultNetwork_IsAFreshNamespaceWithOnlyLoopback()
    {
        var r = engine.Run(NewId(), ["--rm"], "sh", "-c", "ls /sys/class/net; readlink /proc/self/ns/net");
        Assert.True(r.Succeeded, r.ToString());
        var lines = Lines(r.Stdout).Split('\n');
        Assert.Equal("lo", lines[0]);
        Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, lines[1]); // not the host's
    }

    [Fact]
    public void Run_WithATty_PrintsAndReturns()
    {
        // ctr -t needs a terminal of its own: script(1) gives it one. The shim waited forever here before (issue 9/10).
        var id = NewId();
        var r = Host.Run(TimeSpan.FromSeconds(60), "script", "-qec",
            string.Join(' ', new[] { "/usr/bin/ctr", "-a", engine.StateDir + "/containerd.sock", "-n", ContainerdEngine.Namespace, "run", "--rm", "-t",
                "--runc-binary", Paths.Carton, Engine.Image, id, "sh", "-c", "'tty; echo on-a-tty; exit 5'" }), "/dev/null");
        Assert.False(r.TimedOut, $"ctr run -t hung:\n{r}\n{engine.LogTail()}");
        Assert.Contains("/dev/pts/", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("on-a-tty", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, r.ExitCode);
    }

    [Fact]
    public void Detached_ExecPsPauseMetricsStopAndRemove()
    {
        var id = NewId();
        engine.Must("run", "-d", "--runc-binary", Paths.Carton, Engine.Image, id, "sh", "-c",
            "trap 'exit 0' TERM; while :; do sleep 0.2; done");
        try
        {
            Assert.True(Host.WaitFor(() => engine.Cli("tasks", "ls").Stdout.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
            // carton is the runtime: its own state under the shim's root knows the container.
            var state = Host.Run(Paths.Carton, "--root", ContainerdEngine.RuntimeRoot, "state", id);
            Assert.True(state.Succeeded, $"carton does not know the container:\n{state}");
            Assert.Contains("\"running\"", state.Stdout, StringComparison.Ordinal);

            var ex = engine.Cli("tasks", "exec", "--exec-id", "x1", id, "sh", "-c", "echo exec-output; exit 4");
            Assert.Equal(4, ex.ExitCode);
            Assert.Contains("exec-output", ex.Stdout, StringComparison.Ordinal);

            var ps = engine.Must("tasks", "ps", id);
            Assert.True(Lines(ps.Stdout).Split('\n').Length >= 2, $"tasks ps lists no process:\n{ps}");

            engine.Must("tasks", "pause", id);
            Assert.Contains("PAUSED", engine.Must("tasks", "ls").Stdout, StringComparison.Ordinal);
            engine.Must("tasks", "resume", id);
            Assert.DoesNotContain("PAUSED", engine.Must("tasks", "ls").Stdout, StringComparison.Ordinal);

            var metrics = engine.Must("tasks", "metrics", id);
            Assert.Matches(@"memory\.usage_in_bytes\s+[1-9][0-9]*|memory\.current\s+[1-9][0-9]*|pids\.current\s+[1-9]", metrics.Stdout);

            var sw = Stopwatch.StartNew();
            engine.Must("tasks", "kill", "-s", "SIGTERM", id);
            Assert.True(Host.WaitFor(() => engine.Cli("tasks", "ls").Stdout.Contains("STOPPED", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
                "SIGTERM did not stop the container: its trap should have ended it");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
            engine.Must("tasks", "rm", id);
            engine.Must("containers", "rm", id);
            Assert.False(Host.Run(Paths.Carton, "--root", ContainerdEngine.RuntimeRoot, "state", id).Succeeded, "carton still has the container's state");
        }
        finally
        {
            engine.Cli("tasks", "kill", "-s", "KILL", id);
            engine.Cli("tasks", "rm", "-f", id);
            engine.Cli("containers", "rm", id);
        }
    }

    [Fact]
    public void Kill_EndsTheTaskWithSigkill()
    {
        var id = NewId();
        engine.Must("run", "-d", "--runc-binary", Paths.Carton, Engine.Image, id, "sh", "-c", "trap '' TERM; while :; do sleep 1; done");
        try
        {
            Assert.True(Host.WaitFor(() => engine.Cli("tasks", "ls").Stdout.Contains("RUNNING", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
            engine.Must("tasks", "kill", "-s", "SIGKILL", id);
            Assert.True(Host.WaitFor(() => engine.Cli("tasks", "ls").Stdout.Contains("STOPPED", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
            engine.Must("tasks", "rm", id);
            engine.Must("containers", "rm", id);
        }
        finally
        {
            engine.Cli("tasks", "rm", "-f", id);
            engine.Cli("containers", "rm", id);
        }
    }
}
