using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>process.terminal=true with --console-socket: the runtime hands us the pty master over SCM_RIGHTS.</summary>
public sealed class TerminalTests(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    [Theory]
    [InlineData("create+start")]
    [InlineData("run -d")]
    public async Task ConsoleSocketReceivesPtyMaster(string mode)
    {
        Bundle.SetTerminal(true);
        Bundle.SetShell("tty; echo hi");
        var id = Env.NewId();
        var listener = new ConsoleSocketListener(Path.Combine(Env.Dir, "console.sock"));
        var accept = listener.AcceptMasterAsync(TimeSpan.FromSeconds(20));

        var master = -1;
        try
        {
            if (mode == "run -d")
            {
                var run = RunContainer(id, "-d", "--console-socket", listener.SocketPath);
                Assert.True(run.Succeeded, $"run -d --console-socket failed:\n{run}");
                master = await accept.WaitAsync(TimeSpan.FromSeconds(20));
            }
            else
            {
                var create = CreateContainer(id, "--console-socket", listener.SocketPath);
                Assert.True(create.Succeeded, $"create --console-socket failed:\n{create}");
                master = await accept.WaitAsync(TimeSpan.FromSeconds(20));
                Assert.Equal("created", Rt.Status(id));
                Rt.MustRun("start", id);
            }
            Assert.True(master >= 0, "no pty master received");

            var output = ConsoleSocketListener.ReadTerminal(master, TimeSpan.FromSeconds(10), s => s.Contains("hi\r\n", StringComparison.Ordinal));
            Assert.True(output.Contains("/dev/pts/0\r\n", StringComparison.Ordinal) && output.Contains("hi\r\n", StringComparison.Ordinal),
                $"unexpected terminal output: '{output.ReplaceLineEndings("\\n")}'");
            Assert.True(Rt.WaitForStatus(id, "stopped"), $"status: {Rt.Status(id)}");
        }
        finally
        {
            ConsoleSocketListener.CloseFd(master);
            listener.Dispose();
        }
        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }
}
