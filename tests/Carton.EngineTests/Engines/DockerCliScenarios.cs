using System.Diagnostics;
using Carton.EngineTests.Infrastructure;

namespace Carton.EngineTests.Engines;

/// <summary>
/// What a user does with an engine whose CLI is docker's (docker, podman), every container run by carton: run and
/// its exit code, env, workdir, user, hostname, read-only rootfs, memory and pids limits, networks none and default,
/// a tty, detach and logs, exec, top, pause and unpause, stats, a graceful stop, kill and rm. Each scenario checks
/// from inside the container, or from the engine's view, what carton must have done.
/// </summary>
public abstract class DockerCliScenarios(Engine engine)
{
    protected Engine E { get; } = engine;

    private static string NewName() => "e2e-" + Guid.NewGuid().ToString("N")[..10];

    private static string Lines(string s) => s.Replace("\r", "", StringComparison.Ordinal).Trim();

    /// <summary>`run --rm` of <paramref name="command"/> with <paramref name="flags"/>.</summary>
    private Carton.IntegrationTests.Infrastructure.ProcessResult Run(string[] flags, params string[] command) =>
        E.Cli(["run", "--rm", "--pull", "never", .. flags, Engine.Image, .. command]);

    [Fact]
    public void Run_PrintsTheOutputAndReturnsTheExitCode()
    {
        var r = Run([], "sh", "-c", "echo hello-from-carton; echo to-stderr >&2; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("hello-from-carton", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("to-stderr", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AppliesEnvWorkdirUserAndHostname()
    {
        var r = Run(["-e", "GREETING=bonjour", "-w", "/tmp", "-u", "65534:65534", "--hostname", "carton-box"],
            "sh", "-c", "echo $GREETING; pwd; id -u; id -g; hostname");
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal(["bonjour", "/tmp", "65534", "65534", "carton-box"], Lines(r.Stdout).Split('\n'));
    }

    [Fact]
    public void Run_ReadOnlyRootfs_RefusesWrites()
    {
        var r = Run(["--read-only"], "sh", "-c", "touch /written 2>&1; echo rc=$?");
        Assert.Contains("Read-only file system", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("rc=0", r.Stdout, StringComparison.Ordinal);
        var rw = Run([], "sh", "-c", "touch /written && echo written");
        Assert.Contains("written", rw.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MemoryLimit_IsInTheCgroupAndEnforced()
    {
        // cgroup v1 (memory.limit_in_bytes) or v2 (memory.max), whichever the container sees.
        var r = Run(["-m", "64m"], "sh", "-c",
            "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max");
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal((64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), Lines(r.Stdout));
        // 200 MB held by the shell: the OOM killer ends it (137 = 128 + SIGKILL).
        var oom = Run(["-m", "64m", "--memory-swap", "64m"], "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived");
        Assert.Equal(137, oom.ExitCode);
        Assert.DoesNotContain("survived", oom.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_PidsLimit_IsInTheCgroupAndEnforced()
    {
        var r = Run(["--pids-limit", "16"], "sh", "-c",
            "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; " +
            // The child shell stops at the first fork the limit refuses; the count it left is read with builtins only.
            "sh -c 'for i in $(seq 1 40); do sleep 5 & echo $i > /tmp/n; done' 2>/dev/null; read n < /tmp/n; echo started=$n");
        var lines = Lines(r.Stdout).Split('\n');
        Assert.True(lines[0] == "16", $"pids.max:\n{r}");
        var started = lines.FirstOrDefault(l => l.StartsWith("started=", StringComparison.Ordinal));
        Assert.True(started is not null, $"no count of the processes started:\n{r}");
        Assert.InRange(int.Parse(started["started=".Length..], System.Globalization.CultureInfo.InvariantCulture), 1, 15);
    }

    [Fact]
    public void Run_NetworkNone_HasOnlyLoopback()
    {
        var r = Run(["--network", "none"], "sh", "-c", "ls /sys/class/net");
        Assert.True(r.Succeeded, r.ToString());
        Assert.Equal("lo", Lines(r.Stdout));
    }

    [Fact]
    public void Run_DefaultNetwork_ConnectsTwoContainers()
    {
        // A server and a client on the engine's default bridge, inside the engine's own network namespace.
        var server = NewName();
        E.Must("run", "-d", "--pull", "never", "--name", server, Engine.Image, "sh", "-c", "echo hello-over-the-bridge | nc -l -p 8080");
        try
        {
            var ip = "";
            Assert.True(Host.WaitFor(() =>
            {
                ip = Lines(E.Cli("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", server).Stdout);
                return ip.Length > 0;
            }, TimeSpan.FromSeconds(10)), "the server container got no address on the default network");
            var r = Run([], "sh", "-c", $"ls /sys/class/net; for i in $(seq 1 50); do nc {ip} 8080 && exit 0; sleep 0.2; done; exit 1");
            Assert.True(r.Succeeded, r.ToString());
            Assert.Contains("eth0", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("hello-over-the-bridge", r.Stdout, StringComparison.Ordinal);
        }
        finally { E.Cli("rm", "-f", server); }
    }

    [Fact]
    public void Run_WithATty_PrintsAndReturns()
    {
        // -t without -i: the CLI needs no terminal of its own. The shim hung here before (issue 9/10).
        var r = E.Cli(TimeSpan.FromSeconds(60), "run", "--rm", "-t", "--pull", "never", Engine.Image, "sh", "-c", "tty; echo on-a-tty; exit 5");
        Assert.False(r.TimedOut, $"run -t hung:\n{r}\n{E.LogTail()}");
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("/dev/pts/", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("on-a-tty", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Detached_LogsExecTopPauseStatsStopAndRemove()
    {
        var name = NewName();
        // The trap is the graceful stop's witness: `stop` sends SIGTERM first, and the container says so and exits 0.
        E.Must("run", "-d", "--pull", "never", "--name", name, Engine.Image, "sh", "-c",
            "trap 'echo got-sigterm; exit 0' TERM; echo started-out; echo started-err >&2; while :; do sleep 0.2; done");
        try
        {
            Assert.True(Host.WaitFor(() => E.Cli("logs", name).Stdout.Contains("started-out", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
                "logs never showed the container's stdout");
            var logs = E.Cli("logs", name);
            Assert.Contains("started-err", logs.Stdout + logs.Stderr, StringComparison.Ordinal);

            var ex = E.Cli("exec", name, "sh", "-c", "echo exec-output; exit 4");
            Assert.Equal(4, ex.ExitCode);
            Assert.Contains("exec-output", ex.Stdout, StringComparison.Ordinal);
            Assert.Equal("65534", Lines(E.Must("exec", "-u", "65534", name, "id", "-u").Stdout));

            var top = E.Must("top", name);
            Assert.Contains("sleep", top.Stdout, StringComparison.Ordinal);

            E.Must("pause", name);
            Assert.Equal("paused", Lines(E.Must("inspect", "-f", "{{.State.Status}}", name).Stdout));
            E.Must("unpause", name);
            Assert.Equal("running", Lines(E.Must("inspect", "-f", "{{.State.Status}}", name).Stdout));

            var stats = E.Must("stats", "--no-stream", "--format", "{{.MemUsage}}|{{.PIDs}}", name);
            var parts = Lines(stats.Stdout).Split('|');
            Assert.Matches(@"^[0-9.]+[kKMG]i?B", parts[0]);
            Assert.True(int.TryParse(parts[1], out var pids) && pids >= 1, $"stats PIDs: {stats.Stdout}");

            var sw = Stopwatch.StartNew();
            E.Must("stop", "-t", "20", name);
            sw.Stop();
            Assert.Equal("0", Lines(E.Must("inspect", "-f", "{{.State.ExitCode}}", name).Stdout));
            Assert.Contains("got-sigterm", E.Cli("logs", name).Stdout, StringComparison.Ordinal);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"stop took {sw.Elapsed}: the SIGTERM trap did not end the container");

            E.Must("rm", name);
            Assert.DoesNotContain(name, E.Must("ps", "-a", "--format", "{{.Names}}").Stdout, StringComparison.Ordinal);
        }
        finally { E.Cli("rm", "-f", name); }
    }

    [Fact]
    public void Kill_EndsTheContainerWithSigkill()
    {
        var name = NewName();
        E.Must("run", "-d", "--pull", "never", "--name", name, Engine.Image, "sh", "-c", "trap '' TERM; while :; do sleep 1; done");
        try
        {
            E.Must("kill", name);
            Assert.True(Host.WaitFor(() => Lines(E.Cli("inspect", "-f", "{{.State.Status}}", name).Stdout) == "exited", TimeSpan.FromSeconds(15)),
                "the container did not exit after kill");
            Assert.Equal("137", Lines(E.Must("inspect", "-f", "{{.State.ExitCode}}", name).Stdout));
            E.Must("rm", name);
        }
        finally { E.Cli("rm", "-f", name); }
    }
}

[Collection("engines")]
public sealed class DockerTests(DockerEngine engine) : DockerCliScenarios(engine), IClassFixture<DockerEngine>;

[Collection("engines")]
public sealed class PodmanTests(PodmanEngine engine) : DockerCliScenarios(engine), IClassFixture<PodmanEngine>;
