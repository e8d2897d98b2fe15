using System.Text;
using System.Text.Json;

namespace Carton.Compute.Tests;

/// <summary>
/// A document's initIo: the monitor relays the init's stdio (a json-file log, an attach socket with stdin and pty
/// resizes); a stopped system starts again; the init can be signalled.
/// </summary>
public sealed class InitIoTests : ComputeTestBase
{
    private static ComputeSystemDocument WithIo(ComputeSystemDocument d, InitIo io)
    {
        d.InitIo = io;
        return d;
    }

    private static List<(string Stream, string Log, DateTime Time)> ReadLog(string path) =>
        [.. File.ReadAllLines(path).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var r = doc.RootElement;
            return (r.GetProperty("stream").GetString()!, r.GetProperty("log").GetString()!, r.GetProperty("time").GetDateTime());
        })];

    /// <summary>Reads frames until the monitor closes the connection: (stream kind, text) in order.</summary>
    private static async Task<List<(byte Kind, string Text)>> ReadAllAsync(InitAttach attach)
    {
        var frames = new List<(byte, string)>();
        var buffer = new byte[InitAttach.MaxPayload + 1];
        while (true)
        {
            var (kind, n) = await attach.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            if (n == 0) return frames;
            frames.Add((kind, Encoding.UTF8.GetString(buffer, 1, n)));
        }
    }

    [RootFact]
    public async Task The_output_is_logged_line_by_line_in_json_file_format_and_streamed_to_an_attached_client()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, WithIo(Hcs(Sh("echo one; echo two >&2; printf 'no newline'")), new InitIo()));
        var props = await system.GetPropertiesAsync();
        Assert.NotNull(props.InitAttachSocket);
        Assert.Null(props.InitStdoutPath);
        // attached before the start: every byte arrives
        using var attach = await InitAttach.ConnectAsync(props.InitAttachSocket!);
        await system.StartAsync();
        var frames = await ReadAllAsync(attach);
        Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("one\nno newline", string.Concat(frames.Where(f => f.Kind == InitAttach.StdoutFrame).Select(f => f.Text)));
        Assert.Equal("two\n", string.Concat(frames.Where(f => f.Kind == InitAttach.StderrFrame).Select(f => f.Text)));

        var log = ReadLog(props.InitLogPath!);
        Assert.Contains(("stdout", "one\n"), log.Select(l => (l.Stream, l.Log)));
        Assert.Contains(("stderr", "two\n"), log.Select(l => (l.Stream, l.Log)));
        Assert.Contains(("stdout", "no newline"), log.Select(l => (l.Stream, l.Log)));
        Assert.All(log, l => Assert.True(Math.Abs((DateTime.UtcNow - l.Time.ToUniversalTime()).TotalMinutes) < 5, l.Time.ToString("O")));
        Assert.Null((await system.GetPropertiesAsync()).InitAttachSocket);
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Stdin_from_an_attached_client_reaches_the_init_and_closing_it_ends_the_input()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, WithIo(Hcs(Sh("tr a-z A-Z; echo done")), new InitIo { Stdin = true }));
        using var attach = await InitAttach.ConnectAsync((await system.GetPropertiesAsync()).InitAttachSocket!);
        await system.StartAsync();
        await attach.WriteStdinAsync(Encoding.UTF8.GetBytes("hello\n"));
        await attach.CloseStdinAsync();
        var frames = await ReadAllAsync(attach);
        Assert.Equal("HELLO\ndone\n", string.Concat(frames.Select(f => f.Text)));
        Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task A_terminal_init_gets_a_pty_of_the_given_size_that_clients_resize()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, WithIo(
            Hcs(Sh("stty size; read line; stty size; echo got $line")),
            new InitIo { Stdin = true, Terminal = true, ConsoleSize = [24, 80] }));
        using var attach = await InitAttach.ConnectAsync((await system.GetPropertiesAsync()).InitAttachSocket!);
        await system.StartAsync();
        var buffer = new byte[InitAttach.MaxPayload + 1];
        var seen = new StringBuilder();
        while (!seen.ToString().Contains("24 80"))
        {
            var (_, n) = await attach.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.NotEqual(0, n);
            seen.Append(Encoding.UTF8.GetString(buffer, 1, n));
        }
        await attach.ResizeAsync(40, 120);
        await attach.WriteStdinAsync(Encoding.UTF8.GetBytes("x\r"));
        var rest = string.Concat((await ReadAllAsync(attach)).Select(f => f.Text));
        Assert.Contains("40 120", rest);
        Assert.Contains("got x", rest);
        Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task A_stopped_system_starts_again_with_its_files_and_appends_to_its_log()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, WithIo(Hcs(Sh("echo run >> /runs; wc -l < /runs")), new InitIo()));
        await system.StartAsync();
        Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        var firstStart = (await system.GetPropertiesAsync()).Summary.Started;
        Assert.NotNull((await system.GetPropertiesAsync()).Summary.Finished);

        await system.StartAsync();
        Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        var props = await system.GetPropertiesAsync();
        Assert.True(props.Summary.Started > firstStart);
        // the second run saw the first one's file: the root file system was kept
        Assert.Equal(["1", "2"], ReadLog(props.InitLogPath!).Select(l => l.Log.Trim()).ToList());
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task A_signal_reaches_the_init()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("trap 'exit 42' USR1; while true; do sleep 0.1; done")));
        await system.StartAsync();
        await Task.Delay(300);
        await system.SignalAsync(10);
        Assert.Equal(42, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.SignalAsync(10));
        await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => system.SignalAsync(99));
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task A_relative_log_path_is_refused_and_leaves_nothing()
    {
        var id = NewId();
        var e = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() =>
            Service.CreateComputeSystemAsync(id, WithIo(Hcs(Sh("true")), new InitIo { LogPath = "relative.log" })));
        Assert.Equal("initIo.logPath", e.JsonPath);
    }

    /// <summary>
    /// Properties read while the system exits and starts again, over and over (as a Docker restart policy does): each
    /// read describes one moment of it. A read that met the init gone between its summary and its statistics was a 500
    /// "is not running" when the system had meanwhile started again (docker-py's restart/always step, once in CI).
    /// </summary>
    [RootFact]
    public async Task Properties_read_during_restarts_never_fail()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, WithIo(Hcs(Sh("sleep 0.05")), new InitIo()));
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var props = await system.GetPropertiesAsync();
                Assert.Contains(props.Summary.State, new[] { "created", "running", "stopped" });
                if (props.Summary.State == "stopped") Assert.Null(props.Statistics);
                reads++;
            }
        });
        try
        {
            for (var i = 0; i < 30 && !reader.IsCompleted; i++)
            {
                await system.StartAsync();
                Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
        await reader.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(reads > 30, $"only {reads} reads");
        await system.DeleteAsync();
    }
}
