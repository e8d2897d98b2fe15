using Carton.Compute;
using Carton.Compute.Windows.Tests.Fakes;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Backend;

/// <summary>Processes of the Windows backend: the HCS ProcessParameters written, streams, signals, console, exit.</summary>
public sealed class WindowsComputeProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly RecordingComputeCore _core = new() { GiveStdio = true };
    private IComputeSystem _system = null!;

    public async Task InitializeAsync()
    {
        var service = new WindowsComputeService(_core, (_, _) => new HcsDocuments("{}", null));
        _system = await service.CreateComputeSystemAsync("c1", new ComputeSystemDocument());
        await _system.StartAsync();
    }

    public async Task DisposeAsync() => await _system.DeleteAsync();

    private FakeProcess Fake(IComputeProcess p) => _core.Systems["c1"].Processes[(uint)p.Pid];

    [Fact]
    public async Task The_parameters_become_HCS_s_ProcessParameters()
    {
        await using var process = await _system.CreateProcessAsync(new ProcessParameters
        {
            CommandArgs = ["C:\\Program Files\\app.exe", "a b", "say \"hi\"", "end\\"],
            WorkingDirectory = "C:\\work",
            User = "ContainerUser",
            Environment = new() { ["B"] = "2", ["A"] = "1" },
            CreateStdInPipe = true,
            CreateStdOutPipe = true,
        });
        // Written by hand from the ProcessParameters schema and the C runtime's quoting rules.
        Assert.Equal("""{"CommandLine":"\"C:\\Program Files\\app.exe\" \"a b\" \"say \\\"hi\\\"\" end\\","User":"ContainerUser","WorkingDirectory":"C:\\work","Environment":{"A":"1","B":"2"},"CreateStdInPipe":true,"CreateStdOutPipe":true}""",
            Fake(process).Parameters);
        Assert.NotNull(process.StandardInput);
        Assert.NotNull(process.StandardOutput);
        Assert.Null(process.Console);
    }

    [Theory]
    [InlineData("WorkingDirectory", "relative\\dir", null)]
    [InlineData("WorkingDirectory", "\\rooted", null)]
    [InlineData("Environment[\"A=B\"]", null, "A=B")]
    [InlineData("Environment[\"\"]", null, "")]
    public async Task Invalid_parameters_name_the_field_and_reach_no_HCS_call(string path, string? cwd, string? envName)
    {
        var before = _core.Calls.Count;
        var parameters = new ProcessParameters { CommandArgs = ["cmd"], WorkingDirectory = cwd };
        if (envName is not null) parameters.Environment = new() { [envName] = "x" };
        var e = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => _system.CreateProcessAsync(parameters));
        Assert.Equal(path, e.JsonPath);
        Assert.Equal(before, _core.Calls.Count);
    }

    [Fact]
    public async Task Empty_CommandArgs_is_refused() =>
        Assert.Equal("CommandArgs", (await Assert.ThrowsAsync<InvalidComputeDocumentException>(
            () => _system.CreateProcessAsync(new ProcessParameters()))).JsonPath);

    [Fact]
    public async Task A_console_process_gets_one_duplex_stream_and_can_be_resized()
    {
        await using var process = await _system.CreateProcessAsync(new ProcessParameters
        {
            CommandArgs = ["cmd"], EmulateConsole = true, ConsoleSize = [24, 80],
        });
        Assert.Contains("\"EmulateConsole\":true", Fake(process).Parameters);
        Assert.Contains("\"ConsoleSize\":[24,80]", Fake(process).Parameters);
        Assert.NotNull(process.Console);
        Assert.True(process.Console!.CanRead && process.Console.CanWrite);
        Assert.Null(process.StandardOutput);
        await process.ResizeConsoleAsync(40, 120);
        Assert.Equal(["""{"Operation":"ConsoleSize","ConsoleSize":{"Height":40,"Width":120}}"""], Fake(process).Modifications);
    }

    [Fact]
    public async Task Resizing_without_a_console_is_InvalidOperationException()
    {
        await using var process = await _system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cmd"] });
        await Assert.ThrowsAsync<InvalidOperationException>(() => process.ResizeConsoleAsync(1, 1));
    }

    [Fact]
    public async Task Kill_terminates_the_process_and_its_exit_code_is_returned()
    {
        await using var process = await _system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cmd"] });
        await process.KillAsync();
        Assert.True(Fake(process).Terminated);
        Assert.Equal(1, await process.WaitForExitAsync().WaitAsync(Wait));
        await process.KillAsync(); // nothing once exited
        await process.SignalAsync(15);
    }

    [Fact]
    public async Task Signals_become_console_control_events()
    {
        await using var process = await _system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cmd"] });
        await process.SignalAsync(1);
        await process.SignalAsync(3);
        Assert.Equal(["""{"Signal":"CtrlClose"}""", """{"Signal":"CtrlBreak"}"""], Fake(process).Signals);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => process.SignalAsync(0));
        Assert.Equal(ErrorKind.Unsupported, (await Assert.ThrowsAsync<ComputeException>(() => process.SignalAsync(19))).Kind);
    }

    [Fact]
    public async Task A_status_exit_code_comes_back_as_the_same_32_bits()
    {
        await using var process = await _system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cmd"] });
        _core.ExitProcess((uint)process.Pid, unchecked((int)0xC000013A));
        Assert.Equal(unchecked((int)0xC000013A), await process.WaitForExitAsync().WaitAsync(Wait));
    }

    [Fact]
    public async Task Dispose_closes_the_streams_and_the_process_handle()
    {
        var handlesBefore = _core.OpenHandles.Count;
        var stdioBefore = _core.OpenStdioHandles;
        var process = await _system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cmd"], CreateStdErrPipe = true });
        Assert.Equal(handlesBefore + 1, _core.OpenHandles.Count);
        await process.DisposeAsync();
        Assert.Equal(handlesBefore, _core.OpenHandles.Count);
        Assert.Equal(stdioBefore, _core.OpenStdioHandles);
    }
}
