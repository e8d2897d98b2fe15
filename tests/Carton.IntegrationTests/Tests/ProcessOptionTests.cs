using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>--pid-file and --preserve-fds.</summary>
public sealed class ProcessOptionTests(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    [Theory]
    [InlineData("create")]
    [InlineData("run")]
    public void PidFileContainsInitPid(string command)
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pidFile = Path.Combine(Env.Dir, "container.pid");
        var r = command == "create"
            ? CreateContainer(id, "--pid-file", pidFile)
            : RunContainer(id, "-d", "--pid-file", pidFile);
        Assert.True(r.Succeeded, $"{command} --pid-file failed:\n{r}");
        Assert.True(File.Exists(pidFile), "pid file not written");
        var text = File.ReadAllText(pidFile);
        Assert.True(int.TryParse(text.Trim(), out var pid) && pid > 0, $"pid file content '{text}' is not a pid");
        Assert.Equal(StateJson(id)["pid"]!.GetValue<int>(), pid);
        Assert.True(Directory.Exists($"/proc/{pid}"), $"process {pid} from the pid file does not exist");

        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void PreserveFdsPassesExtraFd()
    {
        var file = Path.Combine(Env.Dir, "preserved.txt");
        File.WriteAllText(file, "preserved-content\n");
        // fd 3 is opened by the /bin/sh launcher (ProcessRunner) right before exec'ing the runtime.
        Bundle.SetShell("cat /proc/self/fd/3; ls /proc/self/fd | sort -n | tr '\\n' ' '");
        var r = Rt.Exec(["run", "--bundle", Bundle.Dir, "--preserve-fds", "1", Env.NewId()], extraRedirections: $"3<'{file}'");
        Assert.True(r.Succeeded, $"run --preserve-fds failed:\n{r}");
        Assert.StartsWith("preserved-content\n", r.Stdout);
        // 0,1,2 + the preserved 3 (+ the fd `ls` itself opens); nothing else leaks into the container.
        Assert.True(r.Stdout.EndsWith("0 1 2 3 4 ", StringComparison.Ordinal), $"unexpected fds in the container:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void WithoutPreserveFds_ExtraFdIsNotPassed()
    {
        var file = Path.Combine(Env.Dir, "preserved.txt");
        File.WriteAllText(file, "preserved-content\n");
        Bundle.SetShell("if [ -e /proc/self/fd/3 ]; then echo has-fd3; else echo no-fd3; fi");
        var r = Rt.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()], extraRedirections: $"3<'{file}'");
        Assert.True(r.Succeeded, $"run failed:\n{r}");
        Assert.Equal("no-fd3\n", r.Stdout);
        Env.AssertNoLeaks();
    }
}
