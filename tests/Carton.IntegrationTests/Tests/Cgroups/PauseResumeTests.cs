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

    [Fact]
    public void Pause_CreatedContainer_ThenDeleteForce()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(CreateContainer(id) is { Succeeded: true } c, "create failed");
        var pause = Rt.Exec(["pause", id]);
        var reference = Reference.Exec(["create", "--bundle", Bundle.Dir, Env.TrackId(id + "r")]);
        Assert.True(reference.Succeeded, $"reference create failed:\n{reference}");
        var refPause = Reference.Exec(["pause", id + "r"]);
        Assert.True(pause.Succeeded == refPause.Succeeded,
            $"pause of a created container: {Rt.Name} and {Reference.Name} disagree\n{Rt.Name}:\n{pause}\n{Reference.Name}:\n{refPause}");
        Assert.True(Rt.Exec(["delete", "--force", id]).Succeeded, "delete --force of a (paused) created container failed");
        Assert.True(Reference.Exec(["delete", "--force", id + "r"]).Succeeded, "reference delete --force failed");
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
