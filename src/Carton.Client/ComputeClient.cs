using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Carton.Compute;

namespace Carton.Client;

/// <summary>
/// <see cref="IComputeService"/> over the `carton serve` socket: the same surface as the in-process
/// <c>ComputeService</c>, so that switching is one line
/// (<c>IComputeService svc = new ComputeClient("/run/carton/carton.sock");</c>). Errors come back as the same typed
/// <see cref="ComputeException"/>s; a daemon that cannot be reached is a <see cref="ComputeException"/> with code
/// "Unavailable".
/// </summary>
public sealed class ComputeClient : IComputeService, IDisposable
{
    public const string DefaultSocketPath = "/run/carton/carton.sock";

    private readonly HttpClient _http;

    /// <summary>A client of the daemon at <paramref name="socketPath"/>: a Unix socket's path, or a named pipe
    /// (\\.\pipe\NAME, npipe:////./pipe/NAME; see <see cref="DaemonAddress"/>).</summary>
    public ComputeClient(string socketPath = DefaultSocketPath)
    {
        SocketPath = socketPath;
        Address = DaemonAddress.Parse(socketPath);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = (_, ct) => Address.ConnectAsync(ct),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The daemon's address, parsed.</summary>
    public DaemonAddress Address { get; }

    public string SocketPath { get; }

    private NetworkClient? _networks;

    /// <summary>The daemon's network service (networks, endpoints, namespaces) over the same socket and connections.</summary>
    public NetworkClient Networks => _networks ??= new NetworkClient(this);

    private ImageClient? _images;

    /// <summary>The daemon's image store (pull, list, inspect, tag, remove) over the same socket and connections.</summary>
    public ImageClient Images => _images ??= new ImageClient(this);

    public async Task<IComputeSystem> CreateComputeSystemAsync(string id, ComputeSystemDocument document, CancellationToken cancellationToken = default)
    {
        var body = new MemoryStream();
        await using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WritePropertyName("document");
            JsonSerializer.Serialize(w, document, ComputeJsonContext.Default.ComputeSystemDocument);
            w.WriteEndObject();
        }
        using var response = await SendAsync(HttpMethod.Post, "v1/systems", Json(body.ToArray()), cancellationToken).ConfigureAwait(false);
        return new RemoteComputeSystem(this, id);
    }

    public async Task<IComputeSystem> OpenComputeSystemAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, SystemPath(id), null, cancellationToken).ConfigureAwait(false);
        return new RemoteComputeSystem(this, id);
    }

    public async IAsyncEnumerable<ComputeSystemSummary> EnumerateComputeSystemsAsync(ComputeSystemQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = "v1/systems";
        if (query is not null)
        {
            var parts = new List<string>();
            foreach (var (name, values) in new[] { ("id", query.Ids), ("owner", query.Owners), ("state", query.States) })
                if (values is not null)
                    parts.AddRange(values.Select(v => name + "=" + Uri.EscapeDataString(v)));
            if (parts.Count > 0) path += "?" + string.Join('&', parts);
        }
        var list = await GetJsonAsync(path, ComputeJsonContext.Default.ListComputeSystemSummary, cancellationToken).ConfigureAwait(false);
        foreach (var s in list) yield return s;
    }

    public void Dispose() => _http.Dispose();

    internal static string SystemPath(string id) => "v1/systems/" + Uri.EscapeDataString(id);

    internal static HttpContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    internal async Task<T> GetJsonAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync(stream, type, ct).ConfigureAwait(false)
               ?? throw new ComputeException("Protocol", $"GET /{path}: empty response");
    }

    /// <summary>Reads one integer member of a small JSON object response ({"pid":N}, {"exitCode":N}).</summary>
    internal static async Task<int> ReadIntMember(HttpResponseMessage response, string name, CancellationToken ct)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.TryGetProperty(name, out var v) && v.TryGetInt32(out var n)) return n;
        }
        catch (JsonException)
        {
        }
        throw new ComputeException("Protocol", $"expected {{\"{name}\":N}} from carton serve, got {System.Text.Encoding.UTF8.GetString(bytes)}");
    }

    /// <summary>Sends a request; a non-success status becomes the typed exception its body names (a compute one, or
    /// with <paramref name="plainErrors"/> a plain <see cref="CartonException"/> for routes outside the compute API).</summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, bool plainErrors = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is { } inner && Address.DescribeConnectFailure(inner) is { } reason)
        {
            throw new ComputeException("Unavailable", $"connect to carton serve at {SocketPath}: {reason}", e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
            throw plainErrors
                ? await ErrorMapping.ToCartonExceptionAsync(response, ct).ConfigureAwait(false)
                : await ErrorMapping.ToExceptionAsync(response, ct).ConfigureAwait(false);
    }
}
