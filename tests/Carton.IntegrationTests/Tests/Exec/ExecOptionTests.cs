using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Exec;

/// <summary>exec --process, -d --pid-file, --preserve-fds, -t --console-socket.</summary>
public sealed class ExecOptionTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    [Fact]
    public void ProcessJson_ArgsEnvCwdUser()
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var processJson = Path.Combine(Env.Dir, "process.json");
        File.WriteAllText(processJson, new JsonObject
        {
            ["terminal"] = false,
            ["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000, ["additionalGids"] = new JsonArray(10, 20) },
            ["args"] = Bundle.ToArray(["sh", "-c", "echo uid=$(id -u); echo gid=$(id -g); echo groups=$(id -G); echo cwd=$(pwd); echo foo=$FOO; echo path=$PATH; exit 3"]),
            ["env"] = Bundle.ToArray(["PATH=/bin:/usr/bin", "FOO=from-process-json"]),
            ["cwd"] = "/tmp",
        }.ToJsonString());

        var r = ExecIn(Rt, id, ["--process", processJson]);
        Assert.False(r.TimedOut, r.ToString());
        Assert.True(r.ExitCode == 3, $"exit code of the process.json command not propagated:\n{r}");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("uid") == "1000" && kv.GetValueOrDefault("gid") == "1000", $"process.json user not applied:\n{r}");
        Assert.True(kv.GetValueOrDefault("groups") == "1000 10 20", $"process.json additionalGids not applied:\n{r}");
        Assert.True(kv.GetValueOrDefault("cwd") == "/tmp", $"process.json cwd not applied:\n{r}");
        Assert.True(kv.GetValueOrDefault("foo") == "from-process-json", $"process.json env not applied:\n{r}");
        Assert.True(kv.GetValueOrDefault("path") == "/bin:/usr/bin", $"process.json env PATH not applied:\n{r}");
        DeleteAndCheckLeaks((Rt, id));
    }

    [Fact]
    public void DetachWithPidFile_WritesPidAndRunsInBackground()
    {
        var id = Env.NewId();
        var initPid = StartSleeper(Rt, id);
        var pidFile = Path.Combine(Env.Dir, "exec.pid");

        var r = ExecIn(Rt, id, ["-d", "--pid-file", pidFile], "sleep", "77");
        Assert.True(r.Succeeded, $"exec -d --pid-file failed:\n{r}");
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(20), $"exec -d did not return promptly:\n{r}");
        Assert.True(File.Exists(pidFile), $"pid file not written:\n{r}");
        var text = File.ReadAllText(pidFile);
        Assert.True(int.TryParse(text.Trim(), out var pid) && pid > 0, $"pid file content '{text}' is not a pid");
        Assert.True(Directory.Exists($"/proc/{pid}"), $"exec'd process {pid} from the pid file is not running");
        // `exec -d` may return just before the process execve()s the command; give it a moment.
        var cmdline = "";
        Poll.Until(() => (cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim()) == "sleep 77", TimeSpan.FromSeconds(5));
        Assert.True(cmdline == "sleep 77", $"pid {pid} from the pid file runs '{cmdline}', expected 'sleep 77'");
        Assert.Equal(new FileInfo($"/proc/{initPid}/ns/pid").LinkTarget, new FileInfo($"/proc/{pid}/ns/pid").LinkTarget);
        Assert.Equal("running", Rt.Status(id));

        DeleteAndCheckLeaks((Rt, id));
        Assert.True(Poll.Until(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5)), $"detached exec'd process {pid} survived delete --force");
    }

    [Fact]
    public void PreserveFds_PassesExtraFd()
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var file = Path.Combine(Env.Dir, "preserved.txt");
        File.WriteAllText(file, "preserved-exec-content\n");
        // fd 3 is opened by the /bin/sh launcher (ProcessRunner) right before exec'ing the runtime.
        var r = Rt.Exec(["exec", "--preserve-fds", "1", id, "sh", "-c", "cat /proc/self/fd/3; ls /proc/self/fd | sort -n | tr '\\n' ' '"],
            extraRedirections: $"3<'{file}'");
        Assert.True(r.Succeeded, $"exec --preserve-fds failed:\n{r}");
        Assert.StartsWith("preserved-exec-content\n", r.Stdout);
        Assert.True(r.Stdout.EndsWith("0 1 2 3 4 ", StringComparison.Ordinal), $"unexpected fds in the exec'd process:\n{r}");

        var without = Rt.Exec(["exec", id, "sh", "-c", "if [ -e /proc/self/fd/3 ]; then echo has-fd3; else echo no-fd3; fi"], extraRedirections: $"3<'{file}'");
        Assert.True(without.Succeeded, without.ToString());
        Assert.Equal("no-fd3\n", without.Stdout);
        DeleteAndCheckLeaks((Rt, id));
    }

    [Fact]
    public async Task TtyWithConsoleSocket_ProcessGetsAPty()
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var listener = new ConsoleSocketListener(Path.Combine(Env.Dir, "exec-console.sock"));
        var accept = listener.AcceptMasterAsync(TimeSpan.FromSeconds(20));
        var master = -1;
        try
        {
            // runc refuses --console-socket unless the exec detaches (-d) and allocates a tty (-t).
            var r = ExecIn(Rt, id, ["-t", "-d", "--console-socket", listener.SocketPath], "sh", "-c", "tty; echo exec-hi");
            Assert.True(r.Succeeded, $"exec -t -d --console-socket failed:\n{r}");
            master = await accept.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(master >= 0, "no pty master received");
            var output = ConsoleSocketListener.ReadTerminal(master, TimeSpan.FromSeconds(10), s => s.Contains("exec-hi\r\n", StringComparison.Ordinal));
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, @"/dev/pts/\d+\r\n") && output.Contains("exec-hi\r\n", StringComparison.Ordinal),
                $"unexpected terminal output: '{output.ReplaceLineEndings("\\n")}'");
        }
        finally
        {
            ConsoleSocketListener.CloseFd(master);
            listener.Dispose();
        }
        DeleteAndCheckLeaks((Rt, id));
    }
}
