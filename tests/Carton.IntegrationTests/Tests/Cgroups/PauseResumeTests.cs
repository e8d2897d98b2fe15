using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>pause / resume through the freezer cgroup.</summary>
public sealed class PauseResumeTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    [Fact]
    public void PauseFreezes_ResumeContinues()
    {
        var shared = Env.HostDir("shared");
        var counter = Path.Combine(shared, "counter");
        Bundle.AddBindMount(shared, "/shared");
        Bundle.SetShell("i=0; while true; do i=$((i+1)); echo $i > /shared/counter; sleep 0.1; done");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        Assert.True(Poll.Until(() => Count(counter) > 2, TimeSpan.FromSeconds(5)), "counter never started");

        var pause = Rt.Exec(["pause", id]);
        Assert.True(pause.Succeeded, $"pause failed:\n{pause}");
        Assert.Equal("paused", Rt.Status(id));
        var freezer = CgroupPaths.Dir(pid, "freezer");
        Assert.True(Poll.Until(() => File.ReadAllText(Path.Combine(freezer, "freezer.state")).Trim() == "FROZEN", TimeSpan.FromSeconds(2)),
            $"freezer.state: {File.ReadAllText(Path.Combine(freezer, "freezer.state")).Trim()}");
        var procState = BundleConfigExtensions.ProcStatusField(pid, "State") ?? "";
        Assert.True(procState.StartsWith('D') || procState.StartsWith('T'), $"/proc/{pid}/status State of a frozen task: '{procState}'");
        var frozenAt = Count(counter);
        Thread.Sleep(600);
        Assert.True(Count(counter) == frozenAt, $"counter advanced while paused: {frozenAt} -> {Count(counter)}");

        var pauseAgain = Rt.Exec(["pause", id]);
        // runc 1.1: pausing a paused container fails ("container not running"); recorded, not asserted equal.
        var resume = Rt.Exec(["resume", id]);
        Assert.True(resume.Succeeded, $"resume failed:\n{resume}\n(pause of paused: {pauseAgain})");
        Assert.Equal("running", Rt.Status(id));
        Assert.Equal("THAWED", File.ReadAllText(Path.Combine(freezer, "freezer.state")).Trim());
        Assert.True(Poll.Until(() => Count(counter) > frozenAt + 2, TimeSpan.FromSeconds(5)), $"counter did not continue after resume: {Count(counter)}");

        var resumeRunning = Rt.Exec(["resume", id]);
        AssertFailed(resumeRunning, "resume of a running container");

        Rt.MustRun("kill", id, "KILL");
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status after kill: {Rt.Status(id)}");
        var pauseStopped = Rt.Exec(["pause", id]);
        AssertFailed(pauseStopped, "pause of a stopped container");
        var resumeStopped = Rt.Exec(["resume", id]);
        AssertFailed(resumeStopped, "resume of a stopped container");

        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// pause → resume → start of a *created* container, step by step against DIFF_RUNTIME (runc 1.1.5: pause
    /// succeeds and state says "paused"; resume succeeds and state is "created" again; start then runs it).
    /// </summary>
    [Fact]
    public void PauseResume_CreatedContainer_MatchesReference()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var refId = Env.NewId();
        Assert.True(CreateContainer(id) is { Succeeded: true } c, "create failed");
        var rc = Reference.Exec(["create", "--bundle", Bundle.Dir, refId]);
        Assert.True(rc.Succeeded, $"reference create failed:\n{rc}");
        var pid = Pid(Rt, id);
        var log = new System.Text.StringBuilder();
        var agree = true;
        foreach (var step in new[] { "pause", "resume", "start" })
        {
            var mine = Rt.Exec([step, id]);
            var theirs = Reference.Exec([step, refId]);
            var (status, refStatus) = (Rt.Status(id), Reference.Status(refId));
            var freezer = File.ReadAllText(Path.Combine(CgroupPaths.Dir(pid, "freezer"), "freezer.state")).Trim();
            log.AppendLine($"`{step}`: {Rt.Name} exit={mine.ExitCode} status={status} freezer={freezer} stderr={mine.Stderr.Trim()} | {Reference.Name} exit={theirs.ExitCode} status={refStatus} stderr={theirs.Stderr.Trim()}");
            agree &= mine.Succeeded == theirs.Succeeded && status == refStatus;
        }
        Assert.True(agree, $"created container: runtimes disagree on pause/resume/start:\n{log}");
        var delete = Rt.Exec(["delete", "--force", id]);
        Assert.True(delete.Succeeded, $"delete --force failed:\n{delete}");
        Reference.MustRun("delete", "--force", refId);
        Env.AssertNoLeaks();
    }

    /// <summary>delete --force of a created container that was paused: no kill-timeout wait, nothing left.</summary>
    [Fact]
    public void DeleteForce_PausedCreatedContainer_IsPrompt()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(CreateContainer(id) is { Succeeded: true } c, "create failed");
        var pause = Rt.Exec(["pause", id]);
        var delete = Rt.Exec(["delete", "--force", id]);
        Assert.True(delete.Succeeded, $"delete --force failed:\n{delete}");
        // runc 1.1.5 takes ~0.1s; a frozen init cannot die of SIGKILL until the cgroup is thawed.
        Assert.True(delete.Elapsed < TimeSpan.FromSeconds(2), $"delete --force of a paused created container took {delete.Elapsed.TotalSeconds:F1}s (pause: exit={pause.ExitCode} {pause.Stderr.Trim()}):\n{delete}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void DeleteForce_PausedContainer()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        RunDetached(Rt, id);
        Rt.MustRun("pause", id);
        Assert.Equal("paused", Rt.Status(id));
        var delete = Rt.Exec(["delete", "--force", id]);
        Assert.True(delete.Succeeded, $"delete --force of a paused container failed:\n{delete}");
        Env.AssertNoLeaks();
    }

    private static int Count(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), out var n) ? n : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
