using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Carton.Docker.Models;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Carton.Docker;

/// <summary>One request taken before Kestrel: its head, its (small) body, and the connection it arrived on.</summary>
internal sealed class HijackedRequest
{
    public required string Method { get; init; }
    /// <summary>The path without its /vX.Y prefix.</summary>
    public required string Path { get; init; }
    public required ApiVersion Version { get; init; }
    public required Dictionary<string, StringValues> Query { get; init; }
    public required Dictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }
    /// <summary>The id in the route (/containers/{id}/attach, /exec/{id}/start).</summary>
    public required string Id { get; init; }
    /// <summary>The client asked to upgrade (Connection: Upgrade, Upgrade: tcp): the answer is 101.</summary>
    public bool Upgrade => Headers.TryGetValue("upgrade", out var u) && u.Length > 0;
    public required PipeReader Input { get; init; }
    public required PipeWriter Output { get; init; }
    public int Status { get; set; }
    public bool HeadSent { get; private set; }

    public string? QueryValue(string name) => Query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    /// <summary>dockerd's BoolValue.</summary>
    public bool QueryBool(string name) => QueryValue(name)?.Trim().ToLowerInvariant() is { } s && s is not ("" or "0" or "no" or "false" or "none");

    /// <summary>Sends the head of the stream: 101 UPGRADED when the client asked to upgrade, else 200 (dockerd's answers).</summary>
    public async Task StartStreamAsync(string contentType, CancellationToken ct)
    {
        var head = Upgrade
            ? $"HTTP/1.1 101 UPGRADED\r\nContent-Type: {contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: {ApiVersion.Maximum}\r\n\r\n"
            : $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nApi-Version: {ApiVersion.Maximum}\r\n\r\n";
        Status = Upgrade ? 101 : 200;
        HeadSent = true;
        await Output.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        await Output.FlushAsync(ct);
    }

    /// <summary>A whole answer with a JSON body (an error, or a detached exec's empty 200), then the connection closes.</summary>
    public async Task RespondAsync(int status, string reason, byte[]? json, CancellationToken ct)
    {
        Status = status;
        HeadSent = true;
        var body = json ?? [];
        var head = $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {reason}\r\nApi-Version: {ApiVersion.Maximum}\r\nConnection: close\r\n"
                   + (json is null ? "" : "Content-Type: application/json\r\n") + $"Content-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
        await Output.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        if (body.Length > 0) await Output.WriteAsync(body, ct);
        await Output.FlushAsync(ct);
    }
}

/// <summary>
/// Docker's hijacked streams (attach, exec start): the client sends an HTTP request and the same connection then
/// carries raw bytes both ways. Kestrel cannot do this for them: it ignores "Connection: Upgrade" on a request
/// with a body (exec start has one), so there is no way to take the connection over from a handler. A connection
/// middleware therefore reads each connection's first request head before Kestrel does: a hijack route is served
/// here, whole, on the connection; any other request is left unread and the connection is handed to Kestrel. (The
/// CLIs and Docker.DotNet dial a fresh connection for every hijacked request, so the first request is the one.)
/// </summary>
internal static partial class HijackedStreams
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxBodyBytes = 64 * 1024;
    private static int _active;

    /// <summary>The middleware for the Docker socket's listener.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(DockerServices services) => next => async connection =>
    {
        var input = connection.Transport.Input;
        ReadOnlySequence<byte> buffer;
        SequencePosition? headEnd;
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed);
            buffer = result.Buffer;
            headEnd = FindHeadEnd(buffer);
            // the request line tells: only POSTs to the two hijack routes are ours
            if (buffer.PositionOf((byte)'\n') is { } eol && !IsHijackLine(Encoding.ASCII.GetString(buffer.Slice(0, eol).ToArray())))
            {
                input.AdvanceTo(buffer.Start);
                await next(connection);
                return;
            }
            if (headEnd is not null || result.IsCompleted || buffer.Length > MaxHeadBytes) break;
            input.AdvanceTo(buffer.Start, buffer.End);
        }
        if (headEnd is null)
        {
            // an incomplete or oversized head: Kestrel answers it (400 or 431) as for any other request
            input.AdvanceTo(buffer.Start);
            await next(connection);
            return;
        }
        var head = Encoding.ASCII.GetString(buffer.Slice(0, headEnd.Value).ToArray());
        input.AdvanceTo(headEnd.Value);
        await ServeAsync(services, connection, head);
    };

    /// <summary>The position after the blank line that ends the head, or null.</summary>
    private static SequencePosition? FindHeadEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8, advancePastDelimiter: true) ? reader.Position : null;
    }

    private static bool IsHijackLine(string line) => HijackLine().IsMatch(line.TrimEnd('\r'));

    [GeneratedRegex(@"^POST /(v[0-9.]+/)?(containers/[^/?]+/attach|exec/[^/?]+/start)(\?[^ ]*)? HTTP/1\.[01]$")]
    private static partial Regex HijackLine();

    [GeneratedRegex(@"^/(?:v([0-9]+(?:\.[0-9]+)*))?/?(containers|exec)/([^/]+)/(attach|start)$")]
    private static partial Regex Route();

    private static async Task ServeAsync(DockerServices services, ConnectionContext connection, string head)
    {
        var started = Stopwatch.GetTimestamp();
        var lines = head.Split("\r\n", StringSplitOptions.None);
        var parts = lines[0].Split(' ');
        var target = parts[1];
        int q = target.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? target : target[..q];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var ct = connection.ConnectionClosed;
        HijackedRequest? request = null;
        string? error = null;
        bool counted = false;
        try
        {
            var match = Route().Match(Uri.UnescapeDataString(path));
            var version = ApiVersion.Maximum;
            if (match.Groups[1].Success && match.Groups[1].Length > 0)
            {
                if (!ApiVersion.TryParse(match.Groups[1].Value, out version)) throw DockerErrors.BadRequest($"invalid API version \"{match.Groups[1].Value}\"");
                if (version < ApiVersion.Minimum)
                    throw DockerErrors.BadRequest($"client version {match.Groups[1].Value} is too old. Minimum supported API version is {ApiVersion.Minimum}, please upgrade your client to a newer version");
                if (version > ApiVersion.Maximum)
                    throw DockerErrors.BadRequest($"client version {match.Groups[1].Value} is too new. Maximum supported API version is {ApiVersion.Maximum}");
            }
            if (headers.ContainsKey("Transfer-Encoding")) throw DockerErrors.BadRequest("a chunked body is not taken on attach and exec start: send Content-Length");
            long length = headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            if (length > MaxBodyBytes) throw DockerErrors.BadRequest($"the request body is larger than {MaxBodyBytes} bytes");
            var body = await ReadBodyAsync(connection.Transport.Input, (int)length, ct);
            request = new HijackedRequest
            {
                Method = parts[0], Path = $"/{match.Groups[2].Value}/{match.Groups[3].Value}/{match.Groups[4].Value}", Version = version,
                Query = q < 0 ? [] : QueryHelpers.ParseQuery(target[q..]), Headers = headers, Body = body, Id = match.Groups[3].Value,
                Input = connection.Transport.Input, Output = connection.Transport.Output,
            };
            if (Interlocked.Increment(ref _active) > services.MaxHijackedStreams)
            {
                Interlocked.Decrement(ref _active);
                throw new CartonException(ErrorKind.Unavailable, $"too many attached streams ({services.MaxHijackedStreams}, the daemon's limit): try again later");
            }
            counted = true;
            if (match.Groups[2].Value == "containers") await ContainerAttach.ServeAsync(services, request, ct);
            else await ExecEndpoints.StartAsync(services, request, ct);
        }
        catch (CartonException e)
        {
            error = e.Message;
            await Fail(connection, request, ErrorTable.Of(e.Kind).HttpStatus, e.Message, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            error = "client disconnected";
        }
        catch (Exception e)
        {
            error = e.Message;
            services.Log?.Invoke("error", "unhandled error in the Docker API", w =>
            {
                w.WriteString("path", path);
                w.WriteString("exception", e.ToString());
            });
            await Fail(connection, request, 500, "internal error in carton serve (details are in its log)", ct);
        }
        finally
        {
            if (counted) Interlocked.Decrement(ref _active);
            try { await connection.Transport.Output.CompleteAsync(); } catch (Exception) { }
            services.Log?.Invoke("info", "docker request", w =>
            {
                w.WriteString("method", parts[0]);
                w.WriteString("path", path);
                if (q >= 0) w.WriteString("query", target[q..]);
                w.WriteNumber("status", request?.Status ?? 400);
                w.WriteBoolean("hijacked", true);
                w.WriteNumber("ms", Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3));
                if (error is not null) w.WriteString("error", error);
            });
        }
    }

    private static async Task Fail(ConnectionContext connection, HijackedRequest? request, int status, string message, CancellationToken ct)
    {
        if (request?.HeadSent == true) return; // mid-stream: closing the connection is all that is left
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse { Message = message }, DockerJsonContext.Wire.ErrorResponse);
        var head = $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {ReasonOf(status)}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nApi-Version: {ApiVersion.Maximum}\r\n\r\n";
        try
        {
            await connection.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
            await connection.Transport.Output.WriteAsync(body, ct);
            await connection.Transport.Output.FlushAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException) { }
        if (request is not null) request.Status = status;
    }

    private static string ReasonOf(int status) => status switch
    {
        400 => "Bad Request", 404 => "Not Found", 409 => "Conflict", 501 => "Not Implemented", 503 => "Service Unavailable", _ => "Internal Server Error",
    };

    private static async Task<byte[]> ReadBodyAsync(PipeReader input, int length, CancellationToken ct)
    {
        if (length == 0) return [];
        while (true)
        {
            var result = await input.ReadAsync(ct);
            if (result.Buffer.Length >= length)
            {
                var body = result.Buffer.Slice(0, length).ToArray();
                input.AdvanceTo(result.Buffer.GetPosition(length));
                return body;
            }
            if (result.IsCompleted) throw DockerErrors.BadRequest("the request body ended before its Content-Length");
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
