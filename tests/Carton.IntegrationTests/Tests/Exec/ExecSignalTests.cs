using System.Globalization;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Exec;

/// <summary>Signals: forwarding from the foreground exec runtime process, exit code of a signalled process.</summary>
public sealed class ExecSignalTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    [Fact]
    public void SigtermToForegroundExec_ForwardedAndExitCodePropagates()
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        using (var exec = new BackgroundProcess(Rt.Binary,
                   ["--root", Rt.Root, "exec", id, "sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done"]))
        {
            Assert.True(Poll.Until(() => exec.Stdout.Contains("ready\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), $"exec never became ready:\n{exec}");
            var kill = ProcessRunner.Run("/bin/kill", ["-TERM", exec.Pid.ToString(CultureInfo.InvariantCulture)]);
            Assert.True(kill.Succeeded, kill.ToString());
            Assert.True(exec.WaitForExit(TimeSpan.FromSeconds(20)), $"runtime did not exit after SIGTERM:\n{exec}");
            Assert.True(exec.ExitCode == 42, $"expected the trap's exit code 42:\n{exec}");
        }
        Assert.Equal("running", Rt.Status(id));
        DeleteAndCheckLeaks((Rt, id));
    }

    [Theory]
    [InlineData("kill -9 $$", 137)]
    [InlineData("kill -TERM $$", 143)]
    [InlineData("kill -USR1 $$", 138)]
    public void ExecProcessKilledBySignal_Exits128PlusSignal(string script, int expected)
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var r = ExecIn(Rt, id, [], "sh", "-c", script);
        Assert.False(r.TimedOut, r.ToString());
        Assert.True(r.ExitCode == expected, $"expected exit {expected} for `{script}`:\n{r}");
        Assert.Equal("running", Rt.Status(id));
        DeleteAndCheckLeaks((Rt, id));
    }
}
