using Carton.Compute.Windows.Tests.Fakes;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Core;

/// <summary>One HCS operation's life over the recording fake: order of calls, completion after the await, timeout,
/// cancellation, failures, and the operation closed on every path.</summary>
public sealed class HcsOperationsTests
{
    private readonly RecordingComputeCore _core = new();

    private async Task<HcsComputeSystem> Created(string id = "c1")
    {
        var service = new HcsComputeService(_core);
        return await service.CreateComputeSystemAsync(id, "{}");
    }

    [Fact]
    public async Task An_operation_is_created_used_awaited_read_and_closed_in_that_order()
    {
        using var system = await Created();
        var before = _core.Calls.Count;
        await system.StartAsync();
        Assert.Equal(["HcsCreateOperation", "HcsStartComputeSystem(c1)", "HcsGetOperationResult", "HcsCloseOperation"],
            _core.Calls.Skip(before));
        Assert.Single(_core.OpenHandles); // only the system's own handle
    }

    [Fact]
    public async Task The_result_is_read_only_after_the_completion_which_comes_from_another_thread()
    {
        using var system = await Created();
        _core.CompleteManually("HcsStartComputeSystem");
        var start = system.StartAsync();
        await Task.Delay(50);
        Assert.False(start.IsCompleted);
        Assert.DoesNotContain("HcsGetOperationResult", _core.Calls.SkipWhile(c => !c.StartsWith("HcsStartComputeSystem")));
        Assert.Equal(1, _core.CompletePending());
        await start;
        Assert.Equal("HcsCloseOperation", _core.Calls[^1]);
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task An_operation_that_never_completes_times_out_is_cancelled_and_closed()
    {
        var service = new HcsComputeService(_core, new HcsTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)));
        using var system = await service.CreateComputeSystemAsync("c1", "{}");
        _core.NeverComplete("HcsStartComputeSystem");
        var e = await Assert.ThrowsAsync<HcsException>(() => system.StartAsync());
        Assert.Equal(HcsErrors.HCS_E_OPERATION_TIMEOUT, e.HResult);
        Assert.Equal("HcsStartComputeSystem", e.Operation);
        Assert.Equal(ErrorKind.Timeout, e.Kind);
        Assert.Equal(["HcsStartComputeSystem(c1)", "HcsCancelOperation", "HcsCloseOperation"],
            _core.Calls.SkipWhile(c => !c.StartsWith("HcsStartComputeSystem")));
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task A_shutdown_that_hangs_past_its_timeout_is_HCS_E_OPERATION_TIMEOUT()
    {
        using var system = await Created();
        await system.StartAsync();
        _core.NeverComplete("HcsShutDownComputeSystem");
        var e = await Assert.ThrowsAsync<HcsException>(() => system.ShutDownAsync(TimeSpan.FromMilliseconds(80)));
        Assert.Equal(HcsErrors.HCS_E_OPERATION_TIMEOUT, e.HResult);
        Assert.Contains("HcsCancelOperation", _core.Calls);
        Assert.False(system.Exited.IsCompleted);
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task Cancelling_the_wait_cancels_and_closes_the_operation()
    {
        using var system = await Created();
        _core.NeverComplete("HcsStartComputeSystem");
        using var cts = new CancellationTokenSource();
        var start = system.StartAsync(cts.Token);
        await Task.Delay(30);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        Assert.Equal(["HcsCancelOperation", "HcsCloseOperation"], _core.Calls.TakeLast(2));
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task An_already_cancelled_token_makes_no_HCS_call()
    {
        using var system = await Created();
        var before = _core.Calls.Count;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => system.StartAsync(new CancellationToken(true)));
        Assert.Equal(before, _core.Calls.Count);
    }

    [Fact]
    public async Task A_call_that_fails_at_once_is_not_awaited_and_its_operation_is_closed()
    {
        using var system = await Created();
        _core.FailCall("HcsPauseComputeSystem", HcsErrors.HCS_E_INVALID_STATE);
        var e = await Assert.ThrowsAsync<HcsException>(() => system.PauseAsync());
        Assert.Equal(HcsErrors.HCS_E_INVALID_STATE, e.HResult);
        Assert.Null(e.ResultDocument);
        Assert.Equal(["HcsCreateOperation", "HcsPauseComputeSystem(c1)", "HcsCloseOperation"], _core.Calls.TakeLast(3));
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task An_operation_that_fails_carries_HCS_s_result_document()
    {
        using var system = await Created();
        _core.FailOperation("HcsModifyComputeSystem", HcsErrors.HCS_E_INVALID_JSON,
            """{"Error":-2143878899,"ErrorMessage":"Invalid setting 'Memory.SizeInMB'"}""");
        var e = await Assert.ThrowsAsync<HcsException>(() => system.ModifyAsync("""{"ResourcePath":"x"}"""));
        Assert.Equal("Invalid setting 'Memory.SizeInMB'", e.HcsMessage);
        Assert.Contains("HcsModifyComputeSystem \"c1\" failed with HCS_E_INVALID_JSON", e.Message);
        Assert.Equal("HcsCloseOperation", _core.Calls[^1]);
        Assert.Single(_core.OpenHandles);
    }

    [Fact]
    public async Task An_operation_HCS_cannot_allocate_fails_with_E_OUTOFMEMORY_before_any_call()
    {
        using var system = await Created();
        _core.FailCreateOperation = true;
        var e = await Assert.ThrowsAsync<HcsException>(() => system.StartAsync());
        Assert.Equal(HcsErrors.E_OUTOFMEMORY, e.HResult);
        Assert.Equal("HcsCreateOperation", e.Operation);
        Assert.DoesNotContain(_core.Calls, c => c.StartsWith("HcsStartComputeSystem"));
    }

    [Fact]
    public async Task Property_and_enumerate_results_are_the_result_documents()
    {
        using var system = await Created();
        var properties = await system.GetPropertiesAsync("""{"PropertyTypes":["ProcessList"]}""");
        Assert.Contains("\"State\":\"Created\"", properties);
        Assert.Equal("""{"PropertyTypes":["ProcessList"]}""", _core.Systems["c1"].LastPropertyQuery);
        var list = await new HcsComputeService(_core).EnumerateComputeSystemsAsync();
        Assert.Equal("""[{"Id":"c1","SystemType":"Container","State":"Created"}]""", list);
    }

    [Fact]
    public async Task Many_operations_at_once_each_complete_and_close()
    {
        _core.AddSystem("a", FakeState.Running);
        var service = new HcsComputeService(_core);
        using var system = service.OpenComputeSystem("a");
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => system.GetPropertiesAsync()));
        Assert.Single(_core.OpenHandles);
        Assert.Equal(50, _core.Calls.Count(c => c == "HcsCloseOperation"));
    }
}
