using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Carton.Network;

namespace Carton.Client;

/// <summary>
/// <see cref="INetworkService"/> over the `carton serve` socket (its /v1/networks, /v1/endpoints and /v1/namespaces
/// routes): the same surface as the in-process service. Errors come back as <see cref="CartonException"/>s of the
/// same kind, code, errno and JSON path (a missing network is NotFound, as in-process); a daemon that cannot be
/// reached is Unavailable, and a daemon without a network service answers NotFound for every route.
/// </summary>
public sealed class NetworkClient : INetworkService, IDisposable
{
    private readonly ComputeClient _transport;
    private readonly bool _ownsTransport;

    /// <summary>A client of its own on <paramref name="socketPath"/>.</summary>
    public NetworkClient(string socketPath = ComputeClient.DefaultSocketPath)
    {
        _transport = new ComputeClient(socketPath);
        _ownsTransport = true;
    }

    /// <summary>Shares <paramref name="transport"/>'s socket and connections (<see cref="ComputeClient.Networks"/>).</summary>
    internal NetworkClient(ComputeClient transport) => _transport = transport;

    /// <summary>The daemon's socket.</summary>
    public string SocketPath => _transport.SocketPath;

    /// <inheritdoc />
    public Task<NetworkInfo> CreateNetworkAsync(NetworkCreateOptions options, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/networks", Body(options, NetworkJsonContext.Default.NetworkCreateOptions), NetworkJsonContext.Default.NetworkInfo, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "v1/networks", null, NetworkJsonContext.Default.ListNetworkInfo, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<NetworkInfo> InspectNetworkAsync(string nameOrId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, Segment("v1/networks/", nameOrId), null, NetworkJsonContext.Default.NetworkInfo, cancellationToken);

    /// <inheritdoc />
    public Task DeleteNetworkAsync(string nameOrId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Segment("v1/networks/", nameOrId), null, cancellationToken);

    /// <inheritdoc />
    public Task<EndpointInfo> CreateEndpointAsync(EndpointCreateOptions options, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/endpoints", Body(options, NetworkJsonContext.Default.EndpointCreateOptions), NetworkJsonContext.Default.EndpointInfo, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default)
    {
        var path = network is null ? "v1/endpoints" : "v1/endpoints?network=" + Uri.EscapeDataString(network);
        return await SendJsonAsync(HttpMethod.Get, path, null, NetworkJsonContext.Default.ListEndpointInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<EndpointInfo> InspectEndpointAsync(string id, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, Segment("v1/endpoints/", id), null, NetworkJsonContext.Default.EndpointInfo, cancellationToken);

    /// <inheritdoc />
    public Task<EndpointInfo> AttachEndpointAsync(string endpointId, string namespaceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(namespaceId);
        var body = new MemoryStream();
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("namespace", namespaceId);
            w.WriteEndObject();
        }
        return SendJsonAsync(HttpMethod.Post, Segment("v1/endpoints/", endpointId) + "/attach", ComputeClient.Json(body.ToArray()),
            NetworkJsonContext.Default.EndpointInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<EndpointInfo> DetachEndpointAsync(string endpointId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, Segment("v1/endpoints/", endpointId) + "/detach", null, NetworkJsonContext.Default.EndpointInfo, cancellationToken);

    /// <inheritdoc />
    public Task DeleteEndpointAsync(string endpointId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Segment("v1/endpoints/", endpointId), null, cancellationToken);

    /// <inheritdoc />
    public Task<NamespaceInfo> CreateNamespaceAsync(NamespaceCreateOptions options, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/namespaces", Body(options, NetworkJsonContext.Default.NamespaceCreateOptions), NetworkJsonContext.Default.NamespaceInfo, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "v1/namespaces", null, NetworkJsonContext.Default.ListNamespaceInfo, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<NamespaceInfo> InspectNamespaceAsync(string id, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, Segment("v1/namespaces/", id), null, NetworkJsonContext.Default.NamespaceInfo, cancellationToken);

    /// <inheritdoc />
    public Task DeleteNamespaceAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Segment("v1/namespaces/", id), null, cancellationToken);

    /// <summary>Closes the connections when the client has its own (not when it is <see cref="ComputeClient.Networks"/>).</summary>
    public void Dispose()
    {
        if (_ownsTransport) _transport.Dispose();
    }

    /// <summary>A name or id as one path segment; an empty one would be another route, so it is refused here.</summary>
    private static string Segment(string prefix, string nameOrId)
    {
        ArgumentNullException.ThrowIfNull(nameOrId);
        if (nameOrId.Length == 0) throw new CartonException(ErrorKind.InvalidDocument, $"/{prefix}: the name or id is empty");
        return prefix + Uri.EscapeDataString(nameOrId);
    }

    private static HttpContent Body<T>(T value, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(value);
        return ComputeClient.Json(JsonSerializer.SerializeToUtf8Bytes(value, type));
    }

    private async Task SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var response = await _transport.SendAsync(method, path, content, ct, plainErrors: true).ConfigureAwait(false);
    }

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await _transport.SendAsync(method, path, content, ct, plainErrors: true).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(bytes, type)
                   ?? throw new CartonException(ErrorKind.Internal, $"{method} /{path}: empty response from carton serve", code: "Protocol");
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.Internal, $"{method} /{path}: carton serve answered what is not a {typeof(T).Name}: {e.Message}", e, code: "Protocol");
        }
    }
}
