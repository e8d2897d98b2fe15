using System.Net;
using System.Text;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>What the proxy does to a request a rule matches.</summary>
public abstract record Fault
{
    /// <summary>Answer this status (with a registry-style error body) without asking the registry.</summary>
    public sealed record Status(int Code, string ErrorCode, string? RetryAfter = null) : Fault;
    /// <summary>Forward, but send only the first <paramref name="Bytes"/> of the body, then reset the connection.</summary>
    public sealed record DropAfter(long Bytes) : Fault;
    /// <summary>Forward, but declare and send only the first <paramref name="Bytes"/> of the body (a clean short body).</summary>
    public sealed record Truncate(long Bytes) : Fault;
    /// <summary>Forward with the last byte of the body flipped (same length, wrong digest).</summary>
    public sealed record Corrupt : Fault;
    /// <summary>Forward after waiting (to hold requests in flight together).</summary>
    public sealed record Delay(TimeSpan Wait) : Fault;
    /// <summary>Answer 200 with this body and content type.</summary>
    public sealed record Replace(byte[] Body, string ContentType) : Fault;
}

/// <summary>
/// A fault-injecting HTTP proxy on 127.0.0.1 in front of a real registry: rules (a request predicate, a fault, how many
/// times) decide; everything else is forwarded as it is. Every request is recorded with its Range header.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly Uri _target;
    private readonly List<Rule> _rules = [];
    private readonly List<string> _log = [];
    private readonly Task _loop;
    private int _delayed, _delayedPeak;

    private sealed class Rule(Func<HttpListenerRequest, bool> match, Fault fault, int times)
    {
        public Func<HttpListenerRequest, bool> Match { get; } = match;
        public Fault Fault { get; } = fault;
        public int Remaining { get; set; } = times;
    }

    private readonly bool _forwardHost;

    /// <param name="target">the registry.</param>
    /// <param name="forwardHost">send the client's Host header on, so the registry's Location headers (upload sessions)
    /// point back at the proxy and a push's PATCH and PUT pass through it too.</param>
    public FaultProxy(Uri target, bool forwardHost = false)
    {
        _target = target;
        _forwardHost = forwardHost;
        Port = RegistryProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>"METHOD path [range]" of each request so far.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_log) return [.. _log];
        }
    }

    /// <summary>Applies <paramref name="fault"/> to the next <paramref name="times"/> requests whose path contains <paramref name="pathPart"/>.</summary>
    public void Add(string pathPart, Fault fault, int times = int.MaxValue) =>
        Add(r => r.Url!.AbsolutePath.Contains(pathPart, StringComparison.Ordinal), fault, times);

    public void Add(Func<HttpListenerRequest, bool> match, Fault fault, int times = int.MaxValue)
    {
        lock (_rules) _rules.Add(new Rule(match, fault, times));
    }

    /// <summary>The most requests held by a <see cref="Fault.Delay"/> at once since the last <see cref="Reset"/>: how many
    /// the client had in flight together. A client that waits for a response before its next request can never have
    /// two held at once, since a request's delay ends before its response is sent.</summary>
    public int DelayedPeak => Volatile.Read(ref _delayedPeak);

    /// <summary>Removes every rule and forgets the request log and the delayed peak.</summary>
    public void Reset()
    {
        lock (_rules) _rules.Clear();
        lock (_log) _log.Clear();
        Volatile.Write(ref _delayedPeak, 0);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        lock (_log) _log.Add($"{request.HttpMethod} {request.Url!.AbsolutePath}{(request.Url.Query.Contains("mount=", StringComparison.Ordinal) ? " mount" : "")}{(request.Headers["Range"] is { } range ? " " + range : "")}{(request.Headers["Content-Range"] is { } cr2 ? " " + cr2 : "")}");
        Fault? fault = null;
        lock (_rules)
        {
            var rule = _rules.FirstOrDefault(r => r.Remaining > 0 && r.Match(request));
            if (rule is not null)
            {
                rule.Remaining--;
                fault = rule.Fault;
            }
        }
        try
        {
            switch (fault)
            {
                case Fault.Status s:
                    response.StatusCode = s.Code;
                    response.ContentType = "application/json";
                    if (s.RetryAfter is not null) response.Headers["Retry-After"] = s.RetryAfter;
                    await WriteAsync(response, Encoding.UTF8.GetBytes($$"""{"errors":[{"code":"{{s.ErrorCode}}","message":"injected by the test proxy"}]}"""));
                    return;
                case Fault.Replace r:
                    response.StatusCode = 200;
                    response.ContentType = r.ContentType;
                    await WriteAsync(response, r.Body);
                    return;
            }

            if (fault is Fault.Delay delay)
            {
                var now = Interlocked.Increment(ref _delayed);
                int seen;
                while ((seen = Volatile.Read(ref _delayedPeak)) < now && Interlocked.CompareExchange(ref _delayedPeak, now, seen) != seen) { }
                try { await Task.Delay(delay.Wait); }
                finally { Interlocked.Decrement(ref _delayed); }
            }
            using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_target, request.Url!.PathAndQuery));
            foreach (var name in new[] { "Accept", "Range", "Authorization" })
                if (request.Headers.GetValues(name) is { } values)
                    forward.Headers.TryAddWithoutValidation(name, values);
            if (_forwardHost) forward.Headers.Host = request.UserHostName;
            if (request.HasEntityBody)
            {
                using var body = new MemoryStream();
                await request.InputStream.CopyToAsync(body);
                forward.Content = new ByteArrayContent(body.ToArray());
                if (request.ContentType is { } ct) forward.Content.Headers.TryAddWithoutValidation("Content-Type", ct);
                if (request.Headers["Content-Range"] is { } cr) forward.Content.Headers.TryAddWithoutValidation("Content-Range", cr);
            }
            else if (request.HttpMethod is "PUT" or "POST" or "PATCH")
            {
                forward.Content = new ByteArrayContent([]);
            }
            using var upstream = await _upstream.SendAsync(forward);
            var content = await upstream.Content.ReadAsByteArrayAsync();
            response.StatusCode = (int)upstream.StatusCode;
            if (upstream.Content.Headers.ContentType is { } type) response.ContentType = type.ToString();
            foreach (var name in new[] { "Docker-Content-Digest", "WWW-Authenticate", "Location", "Docker-Distribution-Api-Version", "Range", "Docker-Upload-UUID", "OCI-Chunk-Min-Length" })
                if (upstream.Headers.TryGetValues(name, out var values)) response.Headers[name] = string.Join(",", values);
            if (upstream.Content.Headers.ContentRange is { } contentRange) response.Headers["Content-Range"] = contentRange.ToString();

            switch (fault)
            {
                case Fault.DropAfter d when content.Length > d.Bytes:
                    response.ContentLength64 = content.Length;
                    await response.OutputStream.WriteAsync(content.AsMemory(0, (int)d.Bytes));
                    await response.OutputStream.FlushAsync();
                    await Task.Delay(50);
                    response.Abort();
                    return;
                case Fault.Truncate t when content.Length > t.Bytes:
                    await WriteAsync(response, content[..(int)t.Bytes]);
                    return;
                case Fault.Corrupt when content.Length > 0:
                    content = (byte[])content.Clone();
                    content[^1] ^= 0xff;
                    break;
            }
            await WriteAsync(response, content);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or HttpRequestException)
        {
            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, byte[] body)
    {
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _upstream.Dispose();
        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }
    }
}
