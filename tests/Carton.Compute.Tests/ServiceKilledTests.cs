using System.Text.Json;
using Carton.Compute.Linux;
using Carton.Runtime;

namespace Carton.Compute.Tests;

/// <summary>
/// What a service (the daemon) SIGKILLed in the middle of an operation leaves, as scripts/kill-daemon.sh found it
/// (issue 15), set up here deterministically: a second service on the same state root must still watch the system
/// and report its real exit code, and must remove what no system owns any more.
/// </summary>
public sealed class ServiceKilledTests : ComputeTestBase
{
    /// <summary>A service killed after its monitor created the system but before it recorded the monitor's answer
    /// leaves a record without the init's pid: the init is the one the runtime's state names.</summary>
    [RootFact]
    public async Task A_system_whose_record_lacks_the_init_pid_still_reports_its_exit_code()
    {
        var id = NewId();
        var first = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 0.5; exit 37")));
        await first.StartAsync();
        var path = Path.Combine(Service.ScratchRoot, id, "compute.json");
        var record = JsonSerializer.Deserialize(File.ReadAllBytes(path), ComputeStateJsonContext.Default.ComputeRecord)!;
        Assert.NotNull(record.ExitFile);
        record.InitPid = 0;
        record.InitStartTime = 0;
        File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(record, ComputeStateJsonContext.Default.ComputeRecord));

        var second = new ComputeService(new ComputeServiceOptions { StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary });
        var opened = await second.OpenComputeSystemAsync(id);
        Assert.Equal(37, await Within(opened.WaitForExitAsync()));
        await opened.DeleteAsync();
    }

    /// <summary>A service killed during a delete after the runtime's state was removed leaves the scratch directory
    /// (and its overlay mount), which no listing shows and no delete reaches: the next service's sweep removes it,
    /// and the id can be created again.</summary>
    [RootFact]
    public async Task A_scratch_directory_without_a_system_is_swept_and_its_id_is_free_again()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 30")));
        await system.StartAsync();
        new Lifecycle(new StateStore(StateRoot)).Delete(id, force: true);
        var scratch = Path.Combine(Service.ScratchRoot, id);
        Assert.True(Directory.Exists(scratch));
        Assert.Contains(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(scratch, StringComparison.Ordinal));

        var second = new ComputeService(new ComputeServiceOptions { StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary });
        var (removed, failed) = second.RemoveOrphanedScratch();
        Assert.Equal([id], removed);
        Assert.Empty(failed);
        Assert.False(Directory.Exists(scratch));
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(scratch, StringComparison.Ordinal));

        var again = await second.CreateComputeSystemAsync(id, Hcs(Sh("exit 3")));
        await again.StartAsync();
        Assert.Equal(3, await Within(again.WaitForExitAsync()));
        await again.DeleteAsync();
    }

    /// <summary>A scratch directory whose monitor still runs is a create under way (the monitor saves the runtime's
    /// state in a moment): the sweep leaves it.</summary>
    [RootFact]
    public void A_scratch_directory_whose_monitor_lives_is_kept()
    {
        var id = NewId();
        var scratch = Path.Combine(Service.ScratchRoot, id);
        Directory.CreateDirectory(scratch);
        // this process stands for the live monitor
        var record = new ComputeRecord { MonitorPid = Environment.ProcessId, MonitorStartTime = ProcessInfo.Stat(Environment.ProcessId)!.Value.StartTime };
        File.WriteAllBytes(Path.Combine(scratch, "compute.json"), JsonSerializer.SerializeToUtf8Bytes(record, ComputeStateJsonContext.Default.ComputeRecord));
        Assert.Empty(Service.RemoveOrphanedScratch().Removed);
        Assert.True(Directory.Exists(scratch));

        // once the monitor is gone (here: a start time that is not this process's), the directory is an orphan
        record.MonitorStartTime++;
        File.WriteAllBytes(Path.Combine(scratch, "compute.json"), JsonSerializer.SerializeToUtf8Bytes(record, ComputeStateJsonContext.Default.ComputeRecord));
        Assert.Equal([id], Service.RemoveOrphanedScratch().Removed);
        Assert.False(Directory.Exists(scratch));
    }
    /// <summary>A service killed while it terminated a system, between the freeze that wraps the kills and the thaw,
    /// leaves the system frozen with its state marked (signalFreeze): set up here by pausing it and marking the
    /// state. Nobody paused it, so the next service thaws it when it starts, and a terminate then ends it.
    /// (Without <see cref="ComputeService.EndInterruptedKills"/> it reads "paused" for good: kill-daemon.sh's failure.)</summary>
    [RootFact]
    public async Task A_system_frozen_by_an_interrupted_kill_is_thawed_by_the_next_service()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 30")));
        await system.StartAsync();
        await system.PauseAsync();
        MarkSignalFreeze(id);

        var second = new ComputeService(new ComputeServiceOptions { StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary });
        var opened = await second.OpenComputeSystemAsync(id);
        Assert.Equal("paused", (await opened.GetPropertiesAsync()).Summary.State);
        Assert.Equal([id], second.EndInterruptedKills());
        Assert.Equal("running", (await opened.GetPropertiesAsync()).Summary.State);
        Assert.DoesNotContain("signalFreeze", File.ReadAllText(Path.Combine(StateRoot, id, "state.json")), StringComparison.Ordinal);
        Assert.Empty(second.EndInterruptedKills());
        await opened.TerminateAsync();
        Assert.Equal(137, await Within(opened.WaitForExitAsync()));
        await opened.DeleteAsync();
    }

    /// <summary>A system its user paused carries no mark: the next service leaves it paused.</summary>
    [RootFact]
    public async Task A_system_its_user_paused_stays_paused_across_a_restart()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 30")));
        await system.StartAsync();
        await system.PauseAsync();

        var second = new ComputeService(new ComputeServiceOptions { StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary });
        Assert.Empty(second.EndInterruptedKills());
        var opened = await second.OpenComputeSystemAsync(id);
        Assert.Equal("paused", (await opened.GetPropertiesAsync()).Summary.State);
        await opened.TerminateAsync();
        Assert.Equal(137, await Within(opened.WaitForExitAsync()));
        await opened.DeleteAsync();
    }

    /// <summary>The CLI's way out of the same freeze: `resume` ends it (the container reads "paused"), and a later
    /// pause is a real one that no restart undoes.</summary>
    [RootFact]
    public async Task Resume_ends_a_freeze_an_interrupted_kill_left_and_clears_its_mark()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 30")));
        await system.StartAsync();
        await system.PauseAsync();
        MarkSignalFreeze(id);

        var life = new Lifecycle(new StateStore(StateRoot));
        life.Resume(id);
        Assert.Equal("running", life.State(id).Status);
        Assert.DoesNotContain("signalFreeze", File.ReadAllText(Path.Combine(StateRoot, id, "state.json")), StringComparison.Ordinal);
        life.Pause(id);
        Assert.False(life.RecoverInterruptedSignal(id));
        Assert.Equal("paused", life.State(id).Status);
        await system.TerminateAsync();
        Assert.Equal(137, await Within(system.WaitForExitAsync()));
        await system.DeleteAsync();
    }

    private void MarkSignalFreeze(string id)
    {
        var path = Path.Combine(StateRoot, id, "state.json");
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        state["signalFreeze"] = true;
        File.WriteAllText(path, state.ToJsonString());
    }
}
