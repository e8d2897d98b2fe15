using Carton.Compute.Windows.Tests.Fakes;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Core;

/// <summary>Systems over the recording fake: create/open/lifecycle, events as managed events, and the system handle
/// closed on every error path.</summary>
public sealed class HcsComputeSystemTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly RecordingComputeCore _core = new();
    private readonly HcsComputeService _service;

    public HcsComputeSystemTests() => _service = new HcsComputeService(_core);

    [Fact]
    public async Task Create_registers_the_event_callback_after_the_create_completes()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", """{"SchemaVersion":{"Major":2,"Minor":1}}""");
        Assert.Equal(["HcsCreateOperation", "HcsCreateComputeSystem(c1)", "HcsGetOperationResult", "HcsCloseOperation",
            "HcsSetComputeSystemCallback(c1)"], _core.Calls);
        Assert.Equal("""{"SchemaVersion":{"Major":2,"Minor":1}}""", _core.Systems["c1"].Configuration);
        Assert.Equal(1, _core.Systems["c1"].CallbackCount);
    }

    [Fact]
    public async Task A_create_that_fails_in_its_operation_closes_the_system_handle_HCS_returned()
    {
        _core.FailOperation("HcsCreateComputeSystem", HcsErrors.HCS_E_INVALID_JSON, """{"ErrorMessage":"bad Storage"}""");
        var e = await Assert.ThrowsAsync<HcsException>(() => _service.CreateComputeSystemAsync("c1", "{}"));
        Assert.Equal(HcsErrors.HCS_E_INVALID_JSON, e.HResult);
        Assert.Equal("bad Storage", e.HcsMessage);
        Assert.Empty(_core.OpenHandles);
        Assert.Contains("HcsCloseComputeSystem(c1)", _core.Calls);
        Assert.Equal(2, _core.HandlesOpened); // the operation and the system, both closed
    }

    [Fact]
    public async Task A_create_of_a_taken_id_is_HCS_E_SYSTEM_ALREADY_EXISTS_and_leaks_nothing()
    {
        _core.AddSystem("c1");
        var e = await Assert.ThrowsAsync<HcsException>(() => _service.CreateComputeSystemAsync("c1", "{}"));
        Assert.Equal(HcsErrors.HCS_E_SYSTEM_ALREADY_EXISTS, e.HResult);
        Assert.Empty(_core.OpenHandles);
    }

    [Fact]
    public async Task A_create_refused_at_once_leaks_nothing()
    {
        _core.FailCall("HcsCreateComputeSystem", HcsErrors.HCS_E_ACCESS_DENIED);
        var e = await Assert.ThrowsAsync<HcsException>(() => _service.CreateComputeSystemAsync("c1", "{}"));
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Empty(_core.OpenHandles);
    }

    [Fact]
    public async Task A_failed_callback_registration_closes_the_new_system_handle()
    {
        _core.FailCall("HcsSetComputeSystemCallback", HcsErrors.HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET);
        var e = await Assert.ThrowsAsync<HcsException>(() => _service.CreateComputeSystemAsync("c1", "{}"));
        Assert.Equal("HcsSetComputeSystemCallback", e.Operation);
        Assert.Empty(_core.OpenHandles);
        Assert.Equal("HcsCloseComputeSystem(c1)", _core.Calls[^1]);
    }

    [Fact]
    public void Open_of_a_missing_system_is_HCS_E_SYSTEM_NOT_FOUND_and_leaks_nothing()
    {
        var e = Assert.Throws<HcsException>(() => _service.OpenComputeSystem("nope"));
        Assert.Equal(HcsErrors.HCS_E_SYSTEM_NOT_FOUND, e.HResult);
        Assert.Equal("HcsOpenComputeSystem \"nope\" failed with HCS_E_SYSTEM_NOT_FOUND (0x8037010E)", e.Message);
        Assert.Empty(_core.OpenHandles);
    }

    [Fact]
    public void Open_then_dispose_closes_the_handle_and_unregisters_the_callback()
    {
        _core.AddSystem("c1", FakeState.Running);
        var system = _service.OpenComputeSystem("c1");
        Assert.Equal(1, _core.Systems["c1"].CallbackCount);
        system.Dispose();
        Assert.Empty(_core.OpenHandles);
        Assert.Equal(0, _core.Systems["c1"].CallbackCount);
        Assert.Throws<ObjectDisposedException>(() => system.StartAsync().GetAwaiter().GetResult());
        system.Dispose(); // twice is harmless: the fake throws on a double close
    }

    [Fact]
    public async Task The_lifecycle_calls_reach_HCS_with_this_system()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", "{}");
        await system.StartAsync();
        Assert.Equal(FakeState.Running, _core.Systems["c1"].State);
        await system.PauseAsync();
        Assert.Equal(FakeState.Paused, _core.Systems["c1"].State);
        await system.ResumeAsync();
        Assert.Equal(FakeState.Running, _core.Systems["c1"].State);
        await system.ModifyAsync("""{"ResourcePath":"VirtualMachine/ComputeTopology/Memory/SizeInMB","Settings":512}""");
        Assert.Single(_core.Systems["c1"].Modifications);
        await system.ShutDownAsync(Wait);
        Assert.Equal(FakeState.Stopped, _core.Systems["c1"].State);
        Assert.Equal(["HcsStartComputeSystem(c1)", "HcsPauseComputeSystem(c1)", "HcsResumeComputeSystem(c1)",
            "HcsModifyComputeSystem(c1)", "HcsShutDownComputeSystem(c1)"],
            _core.Calls.Where(c => c.StartsWith("Hcs") && c.Contains("ComputeSystem(c1)") && !c.StartsWith("HcsCreate") && !c.StartsWith("HcsSet") && !c.StartsWith("HcsClose")));
    }

    [Fact]
    public async Task The_exit_event_completes_Exited_with_HCS_s_exit_status()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", "{}");
        await system.StartAsync();
        var seen = new List<HcsEventType>();
        system.EventReceived += (_, e) => { lock (seen) seen.Add(e.Type); };
        Assert.False(system.Exited.IsCompleted);
        await system.TerminateAsync();
        var status = await system.Exited.WaitAsync(Wait);
        Assert.Equal("ForcedExit", status.ExitType);
        Assert.Equal([HcsEventType.SystemExited], seen);
    }

    [Fact]
    public async Task Terminate_of_a_stopped_system_is_HCS_E_SYSTEM_ALREADY_STOPPED()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", "{}");
        await system.StartAsync();
        await system.TerminateAsync();
        var e = await Assert.ThrowsAsync<HcsException>(() => system.TerminateAsync());
        Assert.Equal(HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED, e.HResult);
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task A_crash_is_reported_then_the_unexpected_exit()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", "{}");
        await system.StartAsync();
        _core.RaiseSystemEvent("c1", HcsEventType.SystemCrashInitiated, """{"GuestOsCrashReport":"bugcheck"}""");
        Assert.True(system.Crashed);
        Assert.False(system.Exited.IsCompleted);
        _core.StopSystem("c1", "UnexpectedExit", HcsErrors.HCS_E_UNEXPECTED_EXIT);
        var status = await system.Exited.WaitAsync(Wait);
        Assert.Equal(HcsErrors.HCS_E_UNEXPECTED_EXIT, status.Status);
        Assert.Equal("UnexpectedExit", status.ExitType);
    }

    [Fact]
    public async Task A_service_disconnect_fails_the_exit_wait_rather_than_leave_it_hanging()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", "{}");
        _core.RaiseSystemEvent("c1", HcsEventType.ServiceDisconnect);
        var e = await Assert.ThrowsAsync<HcsException>(() => system.Exited.WaitAsync(Wait));
        Assert.Equal(HcsErrors.HCS_E_SERVICE_DISCONNECT, e.HResult);
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
    }

    [Fact]
    public async Task Events_of_no_interest_are_passed_on_and_change_nothing()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", "{}");
        HcsEvent? seen = null;
        system.EventReceived += (_, e) => seen = e;
        _core.RaiseSystemEvent("c1", HcsEventType.SystemRdpEnhancedModeStateChanged, "{}");
        Assert.Equal(HcsEventType.SystemRdpEnhancedModeStateChanged, seen?.Type);
        Assert.False(system.Exited.IsCompleted);
        Assert.False(system.Crashed);
    }

    [Fact]
    public async Task An_exit_event_with_no_document_still_completes_Exited()
    {
        using var system = await _service.CreateComputeSystemAsync("c1", "{}");
        _core.RaiseSystemEvent("c1", HcsEventType.SystemExited);
        var status = await system.Exited.WaitAsync(Wait);
        Assert.Equal(0, status.Status);
    }
}
