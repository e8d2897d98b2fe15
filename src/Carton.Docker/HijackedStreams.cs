using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Carton.Docker.Models;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Carton.Docker;

/// <summary>One request taken before Kestrel: its head, its (small) body, and the connection it arrived on.</summary>
internal sealed class HijackedRequest
{
    private readonly Socket _socket;
    private byte[] _leftover;
    private int _leftoverAt;

    public HijackedRequest(Socket socket, byte[] leftover)
    {
        _socket = socket;
        _leftover = leftover;
        Output = new NetworkStream(socket, ownsSocket: false);
    }

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
    /// <summary>Writes to the client (the stream's output).</summary>
    public Stream Output { get; }
    public int Status { get; set; }
    public bool HeadSent { get; private set; }

    /// <summary>The client's input after the request (stdin): bytes read, 0 at its end of input (a half-close).</summary>
    public async ValueTask<int> ReadInputAsync(Memory<byte> buffer, CancellationToken ct)
    {
        if (_leftoverAt < _leftover.Length)
        {
            int n = Math.Min(buffer.Length, _leftover.Length - _leftoverAt);
            _leftover.AsMemory(_leftoverAt, n).CopyTo(buffer);
            _leftoverAt += n;
            if (_leftoverAt == _leftover.Length) _leftover = [];
            return n;
        }
        try { return await _socket.ReceiveAsync(buffer, SocketFlags.None, ct); }
        catch (SocketException) { return 0; }
    }

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

    /// <summary>A whole answer (an error, or a detached exec's empty 200), then the connection closes.</summary>
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
/// carries raw bytes both ways, each side ending its half on its own. <see cref="DockerTransport"/> hands these
/// connections here before Kestrel sees them (Kestrel ignores "Connection: Upgrade" on a request with a body, as
/// exec start's is, and ends a connection at the client's FIN); this serves the one request on the socket.
/// </summary>
internal static partial class HijackedStreams
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxBodyBytes = 64 * 1024;
    private static int _active;

    /// <summary>Is this request line ("POST /v1.44/exec/ID/start HTTP/1.1") a hijack route's?</summary>
    public static bool IsHijackLine(string line) => HijackLine().IsMatch(line.TrimEnd('\r'));

    [GeneratedRegex(@"^POST /(v[0-9.]+/)?(containers/[^/?]+/attach|exec/[^/?]+/start)(\?[^ ]*)? HTTP/1\.[01]$")]
    private static partial Regex HijackLine();

    [GeneratedRegex(@"^/(?:v([0-9]+(?:\.[0-9]+)*))?/?(containers|exec)/([^/]+)/(attach|start)$")]
    private static partial Regex Route();

    /// <summary>Serves one hijacked request on <paramref name="socket"/> (the whole connection), then closes it.</summary>
    public static async Task ServeAsync(DockerServices services, Socket socket)
    {
        var started = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource();
        var ct = stop.Token;
        HijackedRequest? request = null;
        string? error = null, method = null, path = null, query = null;
        bool counted = false;
        try
        {
            var (head, leftover) = await ReadHeadAsync(socket, ct);
            var lines = head.Split("\r\n", StringSplitOptions.None);
            var parts = lines[0].Split(' ');
            method = parts[0];
            var target = parts[1];
            int q = target.IndexOf('?', StringComparison.Ordinal);
            path = q < 0 ? target : target[..q];
            query = q < 0 ? null : target[q..];
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in lines.Skip(1))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
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
            var (body, rest) = await ReadBodyAsync(socket, leftover, (int)length, ct);
            request = new HijackedRequest(socket, rest)
            {
                Method = method, Path = $"/{match.Groups[2].Value}/{match.Groups[3].Value}/{match.Groups[4].Value}", Version = version,
                Query = query is null ? [] : QueryHelpers.ParseQuery(query), Headers = headers, Body = body, Id = match.Groups[3].Value,
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
            await Fail(socket, request, ErrorTable.Of(e.Kind).HttpStatus, e.Message, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
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
            await Fail(socket, request, 500, "internal error in carton serve (details are in its log)", ct);
        }
        finally
        {
            if (counted) Interlocked.Decrement(ref _active);
            try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
            socket.Dispose();
            services.Log?.Invoke("info", "docker request", w =>
            {
                w.WriteString("method", method ?? "");
                w.WriteString("path", path ?? "");
                if (query is not null) w.WriteString("query", query);
                w.WriteNumber("status", request?.Status ?? 400);
                w.WriteBoolean("hijacked", true);
                w.WriteNumber("ms", Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3));
                if (error is not null) w.WriteString("error", error);
            });
        }
    }

    /// <summary>The request head (up to its blank line) and whatever came after it in the same reads.</summary>
    private static async Task<(string Head, byte[] After)> ReadHeadAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[MaxHeadBytes];
        int have = 0;
        while (true)
        {
            int end = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8);
            if (end >= 0) return (Encoding.ASCII.GetString(buffer, 0, end), buffer[(end + 4)..have]);
            if (have == buffer.Length) throw DockerErrors.BadRequest($"the request head is larger than {MaxHeadBytes} bytes");
            int n = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, ct);
            if (n == 0) throw new IOException("the client closed the connection before its request was complete");
            have += n;
        }
    }

    /// <summary>The body (Content-Length bytes) and the input that followed it.</summary>
    private static async Task<(byte[] Body, byte[] After)> ReadBodyAsync(Socket socket, byte[] leftover, int length, CancellationToken ct)
    {
        var body = new byte[length];
        int have = Math.Min(length, leftover.Length);
        leftover.AsSpan(0, have).CopyTo(body);
        var rest = leftover[have..];
        while (have < length)
        {
            int n = await socket.ReceiveAsync(body.AsMemory(have), SocketFlags.None, ct);
            if (n == 0) throw DockerErrors.BadRequest("the request body ended before its Content-Length");
            have += n;
        }
        return (body, rest);
    }

    private static async Task Fail(Socket socket, HijackedRequest? request, int status, string message, CancellationToken ct)
    {
        if (request?.HeadSent == true) return; // mid-stream: closing the connection is all that is left
        if (request is not null) request.Status = status;
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse { Message = message }, DockerJsonContext.Wire.ErrorResponse);
        var head = $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {ReasonOf(status)}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nApi-Version: {ApiVersion.Maximum}\r\n\r\n";
        try
        {
            await socket.SendAsync((byte[])[.. Encoding.ASCII.GetBytes(head), .. body], SocketFlags.None, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private static string ReasonOf(int status) => status switch
    {
        400 => "Bad Request", 404 => "Not Found", 409 => "Conflict", 501 => "Not Implemented", 503 => "Service Unavailable", _ => "Internal Server Error",
    };
}
