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

    /// <summary>
    /// containerd's runc shim (go-runc) runs `create` and `exec -d` with --console-socket and their stdout and stderr on
    /// a pipe it reads to end of file before it goes on. An init that keeps the caller's stdout or stderr open (it
    /// holds them until the pty replaces them, after `start`) hangs the shim, and with it `ctr run -t` and
    /// `docker run -t`. The pipeline below is the shim's wait: `cat` ends only when every writer has closed the pipe.
    /// </summary>
    [Theory]
    [InlineData("create")]
    [InlineData("exec -d")]
    public async Task WithATerminal_TheInitDoesNotHoldTheCallersOutputPipe(string mode)
    {
        var id = Env.NewId();
        var listener = new ConsoleSocketListener(Path.Combine(Env.Dir, "console.sock"));
        int master = -1;
        try
        {
            string[] command;
            if (mode == "create")
            {
                Bundle.SetTerminal(true);
                Bundle.SetShell("tty; echo hi");
                command = ["create", "--bundle", Bundle.Dir, "--console-socket", listener.SocketPath, id];
            }
            else
            {
                Bundle.SetShell("sleep 30");
                Rt.MustRun("run", "-d", "--bundle", Bundle.Dir, id);
                command = ["exec", "-d", "-t", "--console-socket", listener.SocketPath, id, "/bin/sh", "-c", "tty; echo hi"];
            }
            var accept = listener.AcceptMasterAsync(TimeSpan.FromSeconds(20));
            var r = ProcessRunner.Run("/bin/sh", ["-c", "\"$0\" \"$@\" 2>&1 | cat", Rt.Binary, "--root", Rt.Root, .. command],
                timeout: TimeSpan.FromSeconds(15));
            Assert.False(r.TimedOut, $"the output pipe of `{mode}` never reached end of file: the init holds it\n{r}");
            Assert.True(r.Succeeded, $"{mode} failed:\n{r}");
            master = await accept.WaitAsync(TimeSpan.FromSeconds(20));
            if (mode == "create") Rt.MustRun("start", id);
            var output = ConsoleSocketListener.ReadTerminal(master, TimeSpan.FromSeconds(10), s => s.Contains("hi\r\n", StringComparison.Ordinal));
            Assert.Contains("/dev/pts/", output, StringComparison.Ordinal);
        }
        finally
        {
            ConsoleSocketListener.CloseFd(master);
            listener.Dispose();
            Rt.Run("delete", "--force", id);
        }
        Env.AssertNoLeaks();
    }
}
