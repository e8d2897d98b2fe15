using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>Foreground `run`: terminal without --console-socket (under util-linux `script`), signal forwarding.</summary>
public sealed class ForegroundRunTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private const string Script = "/usr/bin/script";

    /// <summary>Runs `run` under `script -qefc` so the runtime's stdio is a pty; `-e` propagates the exit code.</summary>
    private ProcessResult RunUnderScript(string id)
    {
        Assert.True(File.Exists(Script), $"{Script} (util-linux) is required for this test");
        var command = $"{Rt.Binary} --root {Rt.Root} run --bundle {Bundle.Dir} {id}";
        return ProcessRunner.Run(Script, ["-qefc", command, "/dev/null"]);
    }

    [Fact]
    public void TerminalWithoutConsoleSocket_UsesPtyAndPropagatesExit()
    {
        Bundle.SetTerminal(true);
        Bundle.SetShell("tty; echo ok; exit 5");
        var r = RunUnderScript(Env.NewId());
        Assert.False(r.TimedOut, r.ToString());
        Assert.True(r.Stdout.Contains("/dev/pts/", StringComparison.Ordinal), $"container stdin is not a pty:\n{r}");
        Assert.True(r.Stdout.Contains("ok\r", StringComparison.Ordinal), $"container output missing:\n{r}");
        Assert.True(r.ExitCode == 5, $"exit code not propagated through the terminal run:\n{r}");
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// Like runc, the runtime must put its own terminal into raw mode while proxying the container's pty;
    /// otherwise the host tty post-processes output a second time ("\r\n" becomes "\r\r\n") and also echoes
    /// and line-buffers input / turns ^C into a signal for the runtime.
    /// </summary>
    [Fact]
    public void TerminalWithoutConsoleSocket_HostTerminalInRawMode()
    {
        Bundle.SetTerminal(true);
        Bundle.SetShell("echo line1; echo line2");
        var r = RunUnderScript(Env.NewId());
        Assert.True(r.Succeeded, r.ToString());
        // script(1) writes a NUL (its VEOF, from a non-tty stdin) into the pty when its stdin hits EOF; relayed to the
        // container's pty, the echo shows it as "^@" when it lands between the two lines. Timing, not raw mode.
        var visible = r.Stdout.Replace("\0", "").Replace("^@", "");
        Assert.True(visible.Contains("line1\r\nline2\r\n", StringComparison.Ordinal) && !visible.Contains("\r\r\n", StringComparison.Ordinal),
            $"terminal output was post-processed twice (host tty not in raw mode): '{visible.Replace("\r", "\\r").Replace("\n", "\\n")}'\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void SigtermToRuntime_ForwardedToContainer_ExitCodePropagates()
    {
        Bundle.SetShell("trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        var id = Env.NewId();
        using (var run = new BackgroundProcess(Rt.Binary, ["--root", Rt.Root, "run", "--bundle", Bundle.Dir, id]))
        {
            Assert.True(Poll.Until(() => run.Stdout.Contains("ready\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), $"container never became ready:\n{run}");
            Assert.Equal("running", Rt.Status(id));
            var kill = ProcessRunner.Run("/bin/kill", ["-TERM", run.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(kill.Succeeded, kill.ToString());
            Assert.True(run.WaitForExit(TimeSpan.FromSeconds(20)), $"runtime did not exit after SIGTERM:\n{run}");
            Assert.True(run.ExitCode == 42, $"expected the container's trap exit code 42:\n{run}");
        }
        Env.AssertNoLeaks();
    }

    [Fact]
    public void SigintToRuntime_ForwardedToContainer()
    {
        Bundle.SetShell("trap 'exit 43' INT; echo ready; while true; do sleep 0.1; done");
        var id = Env.NewId();
        using (var run = new BackgroundProcess(Rt.Binary, ["--root", Rt.Root, "run", "--bundle", Bundle.Dir, id]))
        {
            Assert.True(Poll.Until(() => run.Stdout.Contains("ready\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), $"container never became ready:\n{run}");
            var kill = ProcessRunner.Run("/bin/kill", ["-INT", run.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(kill.Succeeded, kill.ToString());
            Assert.True(run.WaitForExit(TimeSpan.FromSeconds(20)), $"runtime did not exit after SIGINT:\n{run}");
            Assert.True(run.ExitCode == 43, $"expected the container's trap exit code 43:\n{run}");
        }
        Env.AssertNoLeaks();
    }

    /// <summary>A script's background job starts with SIGINT ignored (and .NET then installs no handler for it): the
    /// proxy forwards it all the same, as runc's does. Before, carton kept running and the container never saw it
    /// (this test's sibling failed so in a CI whose runner was started with `&amp;`).</summary>
    [Fact]
    public void SigintToRuntime_ForwardedEvenWhenCartonStartsWithItIgnored()
    {
        Bundle.SetShell("trap 'exit 43' INT; echo ready; while true; do sleep 0.1; done");
        var id = Env.NewId();
        using (var run = new BackgroundProcess("/bin/sh", ["-c", "trap '' INT; exec \"$0\" \"$@\"", Rt.Binary, "--root", Rt.Root, "run", "--bundle", Bundle.Dir, id]))
        {
            Assert.True(Poll.Until(() => run.Stdout.Contains("ready\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), $"container never became ready:\n{run}");
            var kill = ProcessRunner.Run("/bin/kill", ["-INT", run.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(kill.Succeeded, kill.ToString());
            bool exited = run.WaitForExit(TimeSpan.FromSeconds(10));
            if (!exited) ProcessRunner.Run(Rt.Binary, ["--root", Rt.Root, "kill", id, "KILL"]);
            Assert.True(exited, $"runtime did not exit after SIGINT:\n{run}");
            Assert.True(run.ExitCode == 43, $"expected the container's trap exit code 43:\n{run}");
        }
        Env.AssertNoLeaks();
    }

    [Fact]
    public void TerminalDetachedWithoutConsoleSocket_Rejected()
    {
        Bundle.SetTerminal(true);
        Bundle.SetArgs("true");
        var r = RunContainer(Env.NewId(), "-d");
        AssertFailed(r, "run -d with terminal=true and no --console-socket");
        Env.AssertNoLeaks();
    }
}
