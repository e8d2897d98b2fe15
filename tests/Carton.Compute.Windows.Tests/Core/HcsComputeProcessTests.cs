using Carton.Compute.Windows.Tests.Fakes;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Core;

/// <summary>Processes over the recording fake: creation, exit events, calls, and the process handle and its standard
/// handles closed on every error path.</summary>
public sealed class HcsComputeProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly RecordingComputeCore _core = new();
    private HcsComputeSystem _system = null!;

    public async Task InitializeAsync()
    {
        _system = await new HcsComputeService(_core).CreateComputeSystemAsync("c1", "{}");
        await _system.StartAsync();
    }

    public Task DisposeAsync()
    {
        _system.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Create_reads_pid_and_handles_registers_the_callback_then_checks_for_an_early_exit()
    {
        _core.GiveStdio = true;
        var before = _core.Calls.Count;
        using var process = await _system.CreateProcessAsync("""{"CommandLine":"cmd /c exit 3","CreateStdInPipe":true}""");
        Assert.Equal(["HcsCreateOperation", "HcsCreateProcess(c1)", "HcsGetOperationResultAndProcessInfo", "HcsCloseOperation",
            $"HcsSetProcessCallback({process.ProcessId})", "HcsCreateOperation", $"HcsGetProcessProperties({process.ProcessId})",
            "HcsGetOperationResult", "HcsCloseOperation"], _core.Calls.Skip(before));
        Assert.NotNull(process.StandardInput);
        Assert.NotNull(process.StandardOutput);
        Assert.Equal("""{"CommandLine":"cmd /c exit 3","CreateStdInPipe":true}""", _core.Systems["c1"].Processes[process.ProcessId].Parameters);
        Assert.False(process.Exited.IsCompleted);
    }

    [Fact]
    public async Task Dispose_closes_the_process_handle_and_every_standard_handle()
    {
        _core.GiveStdio = true;
        var process = await _system.CreateProcessAsync("{}");
        Assert.Equal(3, _core.OpenStdioHandles);
        process.Dispose();
        Assert.Equal(0, _core.OpenStdioHandles);
        Assert.Single(_core.OpenHandles); // the system's
        Assert.Equal(0, _core.Systems["c1"].Processes[process.ProcessId].CallbackCount);
    }

    [Fact]
    public async Task A_process_that_exited_before_its_callback_was_registered_is_seen_as_exited()
    {
        _core.ProcessesExitImmediately = true;
        using var process = await _system.CreateProcessAsync("{}");
        Assert.True(process.Exited.IsCompletedSuccessfully);
        Assert.True((await process.Exited).Exited);
    }

    [Fact]
    public async Task The_exit_event_completes_Exited_with_the_exit_code()
    {
        using var process = await _system.CreateProcessAsync("{}");
        _core.ExitProcess(process.ProcessId, 3);
        var status = await process.Exited.WaitAsync(Wait);
        Assert.Equal(3u, status.ExitCode);
        Assert.Equal(process.ProcessId, status.ProcessId);
    }

    [Fact]
    public async Task The_system_s_exit_ends_its_processes_too()
    {
        using var process = await _system.CreateProcessAsync("{}");
        await _system.TerminateAsync();
        await process.Exited.WaitAsync(Wait);
        await _system.Exited.WaitAsync(Wait);
    }

    [Fact]
    public async Task Signal_terminate_and_modify_reach_HCS()
    {
        using var process = await _system.CreateProcessAsync("{}");
        var fake = _core.Systems["c1"].Processes[process.ProcessId];
        await process.SignalAsync("""{"Signal":15}""");
        await process.ModifyAsync("""{"Operation":"ConsoleSize","ConsoleSize":{"Height":40,"Width":120}}""");
        await process.TerminateAsync();
        Assert.Equal(["""{"Signal":15}"""], fake.Signals);
        Assert.Single(fake.Modifications);
        Assert.True(fake.Terminated);
        await process.Exited.WaitAsync(Wait);
        var e = await Assert.ThrowsAsync<HcsException>(() => process.SignalAsync("""{"Signal":9}"""));
        Assert.Equal(HcsErrors.HCS_E_PROCESS_ALREADY_STOPPED, e.HResult);
    }

    [Fact]
    public async Task GetProcessInfo_hands_fresh_standard_handles_to_the_caller()
    {
        _core.GiveStdio = true;
        using var process = await _system.CreateProcessAsync("{}");
        var info = await process.GetProcessInfoAsync();
        Assert.Equal(process.ProcessId, info.ProcessId);
        Assert.Equal(6, _core.OpenStdioHandles);
        info.CloseHandles();
        Assert.Equal(3, _core.OpenStdioHandles);
    }

    [Fact]
    public async Task A_create_that_fails_in_its_operation_closes_the_process_handle()
    {
        _core.GiveStdio = true;
        _core.FailOperation("HcsCreateProcess", HcsErrors.E_INVALIDARG, """{"ErrorMessage":"The directory name is invalid."}""");
        var e = await Assert.ThrowsAsync<HcsException>(() => _system.CreateProcessAsync("{}"));
        Assert.Equal("The directory name is invalid.", e.HcsMessage);
        Assert.Single(_core.OpenHandles);
        Assert.Equal(0, _core.OpenStdioHandles);
    }

    [Fact]
    public async Task A_create_in_a_system_that_is_not_running_is_HCS_E_INVALID_STATE_and_leaks_nothing()
    {
        await _system.PauseAsync();
        var e = await Assert.ThrowsAsync<HcsException>(() => _system.CreateProcessAsync("{}"));
        Assert.Equal(HcsErrors.HCS_E_INVALID_STATE, e.HResult);
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task A_failed_callback_registration_closes_the_process_and_its_standard_handles()
    {
        _core.GiveStdio = true;
        _core.FailCall("HcsSetProcessCallback", HcsErrors.E_HANDLE);
        await Assert.ThrowsAsync<HcsException>(() => _system.CreateProcessAsync("{}"));
        Assert.Single(_core.OpenHandles);
        Assert.Equal(0, _core.OpenStdioHandles);
    }

    [Fact]
    public async Task A_failed_early_exit_check_closes_the_process_and_its_standard_handles()
    {
        _core.GiveStdio = true;
        _core.FailOperation("HcsGetProcessProperties", HcsErrors.HCS_E_CONNECTION_CLOSED);
        await Assert.ThrowsAsync<HcsException>(() => _system.CreateProcessAsync("{}"));
        Assert.Single(_core.OpenHandles);
        Assert.Equal(0, _core.OpenStdioHandles);
    }

    [Fact]
    public async Task A_create_that_times_out_closes_everything()
    {
        var core = new RecordingComputeCore();
        using var system = await new HcsComputeService(core, new HcsTimeouts(Wait, Wait, TimeSpan.FromMilliseconds(80)))
            .CreateComputeSystemAsync("c2", "{}");
        await system.StartAsync();
        core.NeverComplete("HcsCreateProcess");
        var e = await Assert.ThrowsAsync<HcsException>(() => system.CreateProcessAsync("{}"));
        Assert.Equal(HcsErrors.HCS_E_OPERATION_TIMEOUT, e.HResult);
        Assert.Single(core.OpenHandles);
    }

    [Fact]
    public async Task Process_events_arrive_as_managed_events()
    {
        using var process = await _system.CreateProcessAsync("{}");
        var seen = new TaskCompletionSource<HcsEvent>();
        process.EventReceived += (_, e) => seen.TrySetResult(e);
        _core.ExitProcess(process.ProcessId, 0);
        var e = await seen.Task.WaitAsync(Wait);
        Assert.Equal(HcsEventType.ProcessExited, e.Type);
        Assert.Contains("\"Exited\":true", e.EventData);
    }
}
