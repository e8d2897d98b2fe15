using Carton.Compute;
using Carton.Compute.Windows.Tests.Fakes;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Backend;

/// <summary>The compute contract on Windows over the recording fake: lifecycle, exits, errors as the contract's
/// typed exceptions, and nothing left open.</summary>
public sealed class WindowsComputeServiceTests
{
    private const string SystemDoc = """{"SchemaVersion":{"Major":2,"Minor":1},"Owner":"carton","Container":{}}""";
    private const string InitDoc = """{"CommandLine":"cmd /c ping -t localhost"}""";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly RecordingComputeCore _core = new();
    private readonly List<string> _translated = [];
    private readonly WindowsComputeService _service;
    private Func<string, HcsDocuments> _documents = _ => new HcsDocuments(SystemDoc, InitDoc);

    public WindowsComputeServiceTests() =>
        _service = new WindowsComputeService(_core, (id, _) => { _translated.Add(id); return _documents(id); });

    private static ComputeSystemDocument Doc() => new() { Hcs = new HcsSystemDocument() };

    private async Task<IComputeSystem> Running(string id = "web1")
    {
        var system = await _service.CreateComputeSystemAsync(id, Doc());
        await system.StartAsync();
        return system;
    }

    private FakeProcess Init(string id = "web1") => _core.Systems[id].Processes.Values.Single(p => p.Parameters == InitDoc);

    [Fact]
    public async Task Create_gives_HCS_the_translated_document_and_start_creates_the_init()
    {
        var system = await _service.CreateComputeSystemAsync("web1", Doc());
        Assert.Equal(["web1"], _translated);
        Assert.Equal(SystemDoc, _core.Systems["web1"].Configuration);
        Assert.Equal("created", (await system.GetPropertiesAsync()).Summary.State);
        await system.StartAsync();
        var properties = await system.GetPropertiesAsync();
        Assert.Equal("running", properties.Summary.State);
        Assert.Equal((int)Init().Pid, properties.Summary.Pid);
        Assert.Equal([(int)Init().Pid], properties.Processes);
        Assert.Null(properties.Statistics);
        var order = _core.Functions.Where(f => f is "HcsCreateComputeSystem" or "HcsStartComputeSystem" or "HcsCreateProcess").ToList();
        Assert.Equal(["HcsCreateComputeSystem", "HcsStartComputeSystem", "HcsCreateProcess"], order);
    }

    [Fact]
    public async Task The_init_s_exit_is_the_system_s_exit_and_stops_the_rest()
    {
        var system = await Running();
        _core.ExitProcess(Init().Pid, 7);
        Assert.Equal(7, await system.WaitForExitAsync().WaitAsync(Wait));
        var summary = (await system.GetPropertiesAsync()).Summary;
        Assert.Equal("stopped", summary.State);
        Assert.Equal(7, summary.ExitCode);
        Assert.NotNull(summary.Finished);
        await WaitUntil(() => _core.Calls.Contains("HcsTerminateComputeSystem(web1)"));
    }

    [Fact]
    public async Task Events_report_state_changes_and_the_exit()
    {
        var system = await _service.CreateComputeSystemAsync("web1", Doc());
        using var cts = new CancellationTokenSource(Wait);
        var events = new List<ComputeSystemEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in system.EventsAsync(cts.Token))
            {
                events.Add(e);
                if (e.State == "deleted") break;
            }
        });
        await Task.Delay(50);
        await system.StartAsync();
        await system.PauseAsync();
        await system.ResumeAsync();
        _core.ExitProcess(Init().Pid, 3);
        await system.WaitForExitAsync().WaitAsync(Wait);
        await system.DeleteAsync();
        await reading.WaitAsync(Wait);
        Assert.Equal(["state:running", "state:paused", "state:running", "exit:3", "state:stopped", "state:deleted"],
            events.Select(e => e.Type == "exit" ? $"exit:{e.ExitCode}" : $"state:{e.State}"));
    }

    [Fact]
    public async Task A_graceful_shutdown_uses_HcsShutDownComputeSystem()
    {
        var system = await Running();
        await system.ShutdownAsync(Wait);
        Assert.Contains("HcsShutDownComputeSystem(web1)", _core.Calls);
        Assert.Equal(1, await system.WaitForExitAsync().WaitAsync(Wait)); // the fake exits processes with 1
        await Assert.ThrowsAsync<ComputeSystemAlreadyStoppedException>(() => system.ShutdownAsync(Wait));
    }

    [Fact]
    public async Task A_shutdown_that_times_out_terminates()
    {
        var system = await Running();
        _core.NeverComplete("HcsShutDownComputeSystem");
        await system.ShutdownAsync(TimeSpan.FromMilliseconds(100));
        var calls = _core.Calls.ToList();
        Assert.True(calls.IndexOf("HcsShutDownComputeSystem(web1)") < calls.IndexOf("HcsTerminateComputeSystem(web1)"));
        Assert.Equal("stopped", (await system.GetPropertiesAsync()).Summary.State);
    }

    [Fact]
    public async Task A_paused_system_is_resumed_before_its_shutdown()
    {
        var system = await Running();
        await system.PauseAsync();
        await system.ShutdownAsync(Wait);
        var calls = _core.Calls.ToList();
        Assert.True(calls.IndexOf("HcsResumeComputeSystem(web1)") < calls.IndexOf("HcsShutDownComputeSystem(web1)"));
    }

    [Fact]
    public async Task Terminate_then_terminate_again_is_AlreadyStopped()
    {
        var system = await Running();
        await system.TerminateAsync();
        Assert.Equal("stopped", (await system.GetPropertiesAsync()).Summary.State);
        await Assert.ThrowsAsync<ComputeSystemAlreadyStoppedException>(() => system.TerminateAsync());
    }

    [Fact]
    public async Task Operations_out_of_state_are_InvalidComputeSystemStateException()
    {
        var system = await _service.CreateComputeSystemAsync("web1", Doc());
        var pause = await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.PauseAsync());
        Assert.Equal("created", pause.State);
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.ResumeAsync());
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.SignalAsync(15));
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cmd"] }));
        await system.StartAsync();
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.StartAsync());
    }

    [Fact]
    public async Task HCS_refusing_a_state_change_is_InvalidComputeSystemStateException()
    {
        var system = await Running();
        _core.FailOperation("HcsPauseComputeSystem", HcsErrors.HCS_E_INVALID_STATE, """{"ErrorMessage":"busy"}""");
        var e = await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.PauseAsync());
        Assert.Equal("pause", e.Operation);
        Assert.Equal("running", e.State);
    }

    [Fact]
    public async Task A_stopped_system_cannot_start_again_on_Windows_and_says_why()
    {
        var system = await Running();
        await system.TerminateAsync();
        var e = await Assert.ThrowsAsync<ComputeException>(() => system.StartAsync());
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Contains("does not restart a stopped compute system", e.Message);
    }

    [Fact]
    public async Task A_failed_init_stops_the_system_and_leaks_nothing()
    {
        _core.GiveStdio = true;
        var system = await _service.CreateComputeSystemAsync("web1", Doc());
        _core.FailOperation("HcsCreateProcess", HcsErrors.E_INVALIDARG, """{"ErrorMessage":"The system cannot find the file specified."}""");
        var e = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => system.StartAsync());
        Assert.Contains("The system cannot find the file specified.", e.Message);
        Assert.Equal("stopped", (await system.GetPropertiesAsync()).Summary.State);
        Assert.Contains("HcsTerminateComputeSystem(web1)", _core.Calls);
        await system.DeleteAsync();
        Assert.Empty(_core.OpenHandles);
        Assert.Equal(0, _core.OpenStdioHandles);
    }

    [Fact]
    public async Task The_init_s_standard_handles_are_not_kept()
    {
        _core.GiveStdio = true;
        await Running();
        Assert.Equal(0, _core.OpenStdioHandles);
    }

    [Fact]
    public async Task Delete_terminates_closes_every_handle_and_forgets_the_system()
    {
        _core.GiveStdio = true;
        var system = await Running();
        var process = await system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cmd"], CreateStdOutPipe = true });
        await process.DisposeAsync();
        await system.DeleteAsync();
        Assert.Contains("HcsTerminateComputeSystem(web1)", _core.Calls);
        Assert.True(_core.OpenHandles.Count == 0, string.Join(",", _core.OpenHandles.Values) + " | " + string.Join(" ", _core.Calls));
        Assert.Equal(0, _core.OpenStdioHandles);
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => system.DeleteAsync());
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => system.GetPropertiesAsync());
        _core.Systems.TryRemove("web1", out _); // HCS drops a terminated system once its last handle is closed
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => _service.OpenComputeSystemAsync("web1"));
    }

    [Fact]
    public async Task A_taken_id_is_ComputeSystemAlreadyExistsException_here_or_in_HCS()
    {
        await _service.CreateComputeSystemAsync("web1", Doc());
        await Assert.ThrowsAsync<ComputeSystemAlreadyExistsException>(() => _service.CreateComputeSystemAsync("web1", Doc()));
        _core.AddSystem("other");
        var e = await Assert.ThrowsAsync<ComputeSystemAlreadyExistsException>(() => _service.CreateComputeSystemAsync("other", Doc()));
        Assert.Equal("other", e.Id);
        Assert.Single(_core.OpenHandles); // web1's
    }

    [Fact]
    public async Task Creates_of_different_ids_proceed_side_by_side_and_a_second_create_of_one_id_fails_at_once()
    {
        _core.CompleteManually("HcsCreateComputeSystem");
        var a = _service.CreateComputeSystemAsync("a", Doc());
        var b = _service.CreateComputeSystemAsync("b", Doc());
        await WaitUntil(() => _core.PendingCount == 2);
        await Assert.ThrowsAsync<ComputeSystemAlreadyExistsException>(() => _service.CreateComputeSystemAsync("a", Doc()));
        _core.CompletePending();
        Assert.Equal("a", (await a.WaitAsync(Wait)).Id);
        Assert.Equal("b", (await b.WaitAsync(Wait)).Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("white space")]
    public async Task A_bad_id_is_refused_before_any_HCS_call(string id)
    {
        await Assert.ThrowsAsync<InvalidComputeSystemIdException>(() => _service.CreateComputeSystemAsync(id, Doc()));
        await Assert.ThrowsAsync<InvalidComputeSystemIdException>(() => _service.OpenComputeSystemAsync(id));
        Assert.Empty(_core.Calls);
        Assert.Empty(_translated);
    }

    [Fact]
    public async Task InitIo_is_refused_as_Unsupported_before_any_HCS_call()
    {
        var doc = Doc();
        doc.InitIo = new InitIo { NoLog = true };
        var e = await Assert.ThrowsAsync<ComputeException>(() => _service.CreateComputeSystemAsync("web1", doc));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.StartsWith("initIo:", e.Message);
        Assert.Empty(_core.Calls);
    }

    [Fact]
    public async Task A_document_the_translation_refuses_reaches_the_caller_and_creates_nothing()
    {
        _documents = _ => throw new InvalidComputeDocumentException("windows.layerFolders", "must not be empty");
        var e = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => _service.CreateComputeSystemAsync("web1", Doc()));
        Assert.Equal("windows.layerFolders", e.JsonPath);
        Assert.Empty(_core.Calls);
    }

    [Fact]
    public async Task A_document_HCS_rejects_is_InvalidComputeDocumentException_with_HCS_s_message_and_leaks_nothing()
    {
        _core.FailOperation("HcsCreateComputeSystem", HcsErrors.HCS_E_INVALID_JSON, """{"Error":-2143878899,"ErrorMessage":"Unknown field 'Contaner'"}""");
        var e = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => _service.CreateComputeSystemAsync("web1", Doc()));
        Assert.Equal("$", e.JsonPath);
        Assert.Contains("HCS_E_INVALID_JSON: Unknown field 'Contaner'", e.Message);
        Assert.Empty(_core.OpenHandles);
        // and the id is free again
        _core.Systems.Clear();
        var empty = new RecordingComputeCore();
        Assert.NotNull(await new WindowsComputeService(empty, (_, _) => new HcsDocuments(SystemDoc, null)).CreateComputeSystemAsync("web1", Doc()));
    }

    [Fact]
    public async Task Open_of_a_missing_system_is_ComputeSystemNotFoundException() =>
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => _service.OpenComputeSystemAsync("ghost"));

    [Fact]
    public async Task A_system_created_elsewhere_opens_with_HCS_s_state_and_an_unknown_exit_code()
    {
        _core.AddSystem("foreign", FakeState.Running);
        var system = await _service.OpenComputeSystemAsync("foreign");
        Assert.Equal("running", (await system.GetPropertiesAsync()).Summary.State);
        _core.StopSystem("foreign");
        Assert.Equal(-1, await system.WaitForExitAsync().WaitAsync(Wait));
    }

    [Fact]
    public async Task Open_of_a_system_created_here_shares_its_state()
    {
        var created = await Running();
        var opened = await _service.OpenComputeSystemAsync("web1");
        await created.PauseAsync();
        Assert.Equal("paused", (await opened.GetPropertiesAsync()).Summary.State);
        Assert.Equal(1, _core.Calls.Count(c => c == "HcsSetComputeSystemCallback(web1)"));
    }

    [Fact]
    public async Task Enumerate_lists_HCS_s_systems_filtered_by_the_query()
    {
        await Running("a");
        await _service.CreateComputeSystemAsync("b", Doc());
        _core.AddSystem("c", FakeState.Stopped);
        var all = await _service.EnumerateComputeSystemsAsync().ToListAsync();
        Assert.Equal(["a:running", "b:created", "c:stopped"], all.Select(s => $"{s.Id}:{s.State}"));
        var running = await _service.EnumerateComputeSystemsAsync(new ComputeSystemQuery { States = ["running"] }).ToListAsync();
        Assert.Equal(["a"], running.Select(s => s.Id));
        var byId = await _service.EnumerateComputeSystemsAsync(new ComputeSystemQuery { Ids = ["b", "c"] }).ToListAsync();
        Assert.Equal(["b", "c"], byId.Select(s => s.Id));
    }

    [Fact]
    public async Task Signals_reach_the_init_as_console_events_or_a_terminate()
    {
        var system = await Running();
        await system.SignalAsync(15);
        await system.SignalAsync(2);
        Assert.Equal(["""{"Signal":"CtrlShutdown"}""", """{"Signal":"CtrlC"}"""], Init().Signals);
        var e = await Assert.ThrowsAsync<ComputeException>(() => system.SignalAsync(10));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => system.SignalAsync(65));
        await system.SignalAsync(9);
        Assert.True(Init().Terminated);
        await system.WaitForExitAsync().WaitAsync(Wait);
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.SignalAsync(15));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException();
            await Task.Delay(10);
        }
    }
}
