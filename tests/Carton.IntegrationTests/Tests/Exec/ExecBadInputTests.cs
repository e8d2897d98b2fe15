using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Exec;

/// <summary>exec failures: stopped/unknown/paused containers, missing binary, bad --user. No leaks after each.</summary>
public sealed class ExecBadInputTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    [Fact]
    public void ExecInStoppedContainer_Fails()
    {
        Bundle.SetArgs("true");
        var id = Env.NewId();
        Assert.True(CreateContainer(id) is { Succeeded: true }, "create failed");
        Rt.MustRun("start", id);
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status: {Rt.Status(id)}");
        var r = ExecIn(Rt, id, [], "echo", "should-not-run");
        AssertFailed(r, "exec in a stopped container");
        Assert.DoesNotContain("should-not-run", r.Stdout);
        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void ExecInUnknownContainer_Fails()
    {
        var r = ExecIn(Rt, "it-does-not-exist", [], "true");
        AssertFailed(r, "exec in an unknown container");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void ExecOfMissingBinary_FailsNamingIt()
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var r = ExecIn(Rt, id, [], "no-such-binary-xyz", "arg");
        AssertFailed(r, "exec of a missing binary");
        Assert.True(r.Stderr.Contains("no-such-binary-xyz", StringComparison.Ordinal), $"error does not name the missing binary:\n{r}");
        Assert.Equal("running", Rt.Status(id));
        DeleteAndCheckLeaks((Rt, id));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1000:abc")]
    [InlineData("-1")]
    [InlineData("1000:")]
    public void ExecWithBadUser_Fails(string user)
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var r = ExecIn(Rt, id, ["--user", user], "echo", "should-not-run");
        AssertFailed(r, $"exec --user {user}");
        Assert.DoesNotContain("should-not-run", r.Stdout);
        if (!Fixture.RuntimeIsRunc)
        {
            // runc says "parsing abc as int for uid failed"; carton's errors name the flag.
            Assert.True(r.Stderr.Contains("--user", StringComparison.Ordinal), $"error does not name --user:\n{r}");
        }
        DeleteAndCheckLeaks((Rt, id));
    }

    [Fact]
    public void ExecInPausedContainer_RequiresIgnorePaused()
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        Rt.MustRun("pause", id);
        Assert.Equal("paused", Rt.Status(id));

        var refused = ExecIn(Rt, id, [], "echo", "should-not-run");
        AssertFailed(refused, "exec in a paused container without --ignore-paused");
        Assert.DoesNotContain("should-not-run", refused.Stdout);
        Assert.Equal("paused", Rt.Status(id));

        // With --ignore-paused the exec is allowed; its process lands in the frozen cgroup and runs once resumed.
        using (var exec = new BackgroundProcess(Rt.Binary, ["--root", Rt.Root, "exec", "--ignore-paused", id, "echo", "ran-after-resume"]))
        {
            Thread.Sleep(1000);
            Assert.Equal("paused", Rt.Status(id));
            Rt.MustRun("resume", id);
            Assert.True(exec.WaitForExit(TimeSpan.FromSeconds(20)), $"exec --ignore-paused did not finish after resume:\n{exec}");
            Assert.True(exec.ExitCode == 0 && exec.Stdout.Contains("ran-after-resume", StringComparison.Ordinal), $"exec --ignore-paused failed:\n{exec}");
        }
        Assert.Equal("running", Rt.Status(id));
        DeleteAndCheckLeaks((Rt, id));
    }
}
