using System.Text;
using Carton.Compute;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// POST /containers/{id}/attach?stream&amp;logs&amp;stdin&amp;stdout&amp;stderr, hijacked: the logs so far (logs=1),
/// then the live output from the container's monitor (<see cref="InitAttach"/>), framed as Docker frames it (one raw
/// stream with a tty, stdcopy frames without); what the client sends goes to the init's stdin (stdin=1), and its
/// end of input closes that stdin when the container was created with StdinOnce (as dockerd does).
/// </summary>
internal static class ContainerAttach
{
    public static async Task ServeAsync(DockerServices services, HijackedRequest request, CancellationToken ct)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(request.Id);
        bool stdin = request.QueryBool("stdin"), stdout = request.QueryBool("stdout"), stderr = request.QueryBool("stderr");
        bool stream = request.QueryBool("stream"), logs = request.QueryBool("logs");
        if (!stdout && !stderr && !stdin) throw DockerErrors.BadRequest("at least one of stdin, stdout or stderr must be attached", "stdout");
        var props = await containers.PropertiesAsync(record, ct);
        services.Events.Container(record, "attach");
        bool multiplexed = !record.Config.Tty;
        // connected before the head is sent: a `docker run` that attaches before it starts the container then
        // misses nothing (the monitor holds the output until a start, and we are listening from now on)
        InitAttach? attach = null;
        if (stream && props.InitAttachSocket is { } socket)
        {
            try { attach = await InitAttach.ConnectAsync(socket, ct); }
            catch (ComputeException e) when (e.Kind == ErrorKind.NotFound) { /* it exited meanwhile: logs only */ }
        }
        else if (stream && props.Summary.State == "stopped")
        {
            await NextRunAsync(services, record, request, multiplexed, stdout, stderr, stdin, ct);
            return;
        }
        try
        {
            await request.StartStreamAsync(multiplexed ? StdStream.MultiplexedContentType : StdStream.RawContentType, ct);
            var output = request.Output;
            if (logs)
            {
                var options = new JsonFileLog.Options { Stdout = stdout, Stderr = stderr };
                await foreach (var e in JsonFileLog.ReadAsync(record.LogPath, options, () => Task.FromResult(false), ct))
                    await StdStream.WriteAsync(output, multiplexed, e.Stderr, Encoding.UTF8.GetBytes(e.Text), ct);
                await output.FlushAsync(ct);
            }
            if (attach is null) return;
            using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var input = stdin ? PumpInputAsync(request, attach, record.Config.StdinOnce && !record.Config.Tty, done.Token) : Task.CompletedTask;
            var buffer = new byte[InitAttach.MaxPayload + 1];
            while (true)
            {
                var (kind, n) = await attach.ReceiveAsync(buffer, ct);
                if (n == 0) break;
                bool isErr = kind == InitAttach.StderrFrame;
                if (isErr ? !stderr : !stdout) continue;
                await StdStream.WriteAsync(output, multiplexed, isErr, buffer.AsMemory(1, n), ct);
                await output.FlushAsync(ct);
            }
            await done.CancelAsync();
            try { await input; } catch (OperationCanceledException) { }
        }
        finally { attach?.Dispose(); }
    }

    /// <summary>
    /// `docker start -a` of an exited container attaches first and starts it after: there is no monitor to attach to
    /// yet (the next run's is made by the start). So the output of the next run is followed in the log, from where
    /// the log ends now until the run exits, which loses nothing however quickly the run prints; stdin, when asked,
    /// goes to the new run's monitor once it is there.
    /// </summary>
    private static async Task NextRunAsync(DockerServices services, ContainerRecord record, HijackedRequest request, bool multiplexed,
        bool stdout, bool stderr, bool stdin, CancellationToken ct)
    {
        // held until the read below takes it over: a rotation meanwhile does not lose the place
        using var mark = JsonFileLog.MarkEnd(record.LogPath);
        await using var system = await services.Containers.SystemAsync(record, ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var events = system.EventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        await request.StartStreamAsync(multiplexed ? StdStream.MultiplexedContentType : StdStream.RawContentType, ct);
        try
        {
            while (await events.MoveNextAsync())
                if (events.Current is { Type: "state", State: "running" } or { Type: "exit" }) break;
        }
        finally
        {
            await cts.CancelAsync();
            await events.DisposeAsync();
        }
        ct.ThrowIfCancellationRequested();
        InitAttach? input = null;
        Task pumping = Task.CompletedTask;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (stdin && (await system.GetPropertiesAsync(ct)).InitAttachSocket is { } socket)
        {
            try
            {
                input = await InitAttach.ConnectAsync(socket, ct);
                pumping = PumpInputAsync(request, input, record.Config.StdinOnce && !record.Config.Tty, done.Token);
            }
            catch (ComputeException e) when (e.Kind == ErrorKind.NotFound) { }
        }
        try
        {
            var Running = services.Containers.LogStillWritten(record);
            var options = new JsonFileLog.Options { Stdout = stdout, Stderr = stderr, Follow = true, From = mark };
            await foreach (var e in JsonFileLog.ReadAsync(record.LogPath, options, Running, ct))
            {
                await StdStream.WriteAsync(request.Output, multiplexed, e.Stderr, Encoding.UTF8.GetBytes(e.Text), ct);
                await request.Output.FlushAsync(ct);
            }
            await done.CancelAsync();
            try { await pumping; } catch (OperationCanceledException) { }
        }
        finally { input?.Dispose(); }
    }

    /// <summary>Client → the init's stdin until the client's end of input (closing stdin when <paramref name="closeAtEnd"/>).</summary>
    private static async Task PumpInputAsync(HijackedRequest request, InitAttach attach, bool closeAtEnd, CancellationToken ct)
    {
        var buffer = new byte[InitAttach.MaxPayload];
        while (true)
        {
            int n = await request.ReadInputAsync(buffer, ct);
            if (n == 0) break;
            await attach.WriteStdinAsync(buffer.AsMemory(0, n), ct);
        }
        if (closeAtEnd) await attach.CloseStdinAsync(ct);
    }
}
