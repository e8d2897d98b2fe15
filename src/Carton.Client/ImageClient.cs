using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Carton.Images.Api;

namespace Carton.Client;

/// <summary>
/// The daemon's image store over the `carton serve` socket (its /v1/images routes): what `carton image` does
/// in-process, with the same errors. A failure is a <see cref="CartonException"/> of the kind, code, message and
/// JSON path the store raised in the daemon (no such image is NotFound, a bad reference InvalidDocument naming the
/// field), whether it came as an error body or as the error event that ends a pull's stream; a daemon that cannot
/// be reached is Unavailable.
/// </summary>
public sealed class ImageClient : IDisposable
{
    private readonly ComputeClient _transport;
    private readonly bool _ownsTransport;

    /// <summary>A client of its own on <paramref name="socketPath"/>.</summary>
    public ImageClient(string socketPath = ComputeClient.DefaultSocketPath)
    {
        _transport = new ComputeClient(socketPath);
        _ownsTransport = true;
    }

    /// <summary>Shares <paramref name="transport"/>'s socket and connections (<see cref="ComputeClient.Images"/>).</summary>
    internal ImageClient(ComputeClient transport) => _transport = transport;

    /// <summary>The daemon's socket.</summary>
    public string SocketPath => _transport.SocketPath;

    /// <summary>
    /// Pulls <paramref name="reference"/> into the daemon's store. Each "progress" event goes to
    /// <paramref name="progress"/> (on the reading thread, in the daemon's order); the "result" event is returned; an
    /// "error" event is thrown as the <see cref="CartonException"/> it describes.
    /// </summary>
    /// <param name="reference">The image reference.</param>
    /// <param name="platform">"os/architecture[/variant]"; null: the daemon host's.</param>
    /// <param name="credentials">For the registry; null: the daemon's docker config.json, else anonymous.</param>
    public async Task<ImageTransferEvent> PullAsync(string reference, string? platform = null, ImageRegistryCredentials? credentials = null,
        IProgress<ImageTransferEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        return await LastEventAsync($"pull {reference}",
            PullEventsAsync(new ImagePullRequest { Reference = reference, Platform = platform, Credentials = credentials }, cancellationToken),
            progress).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes the image named <paramref name="reference"/> in the daemon's store to the registry and repository the
    /// name says, as `carton image push`: progress events to <paramref name="progress"/>, the "result" event returned
    /// (its digest is what the tag now points at), an "error" event thrown. NotFound when the store has no such name.
    /// </summary>
    public async Task<ImageTransferEvent> PushAsync(string reference, ImageRegistryCredentials? credentials = null,
        IProgress<ImageTransferEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var body = ComputeClient.Json(JsonSerializer.SerializeToUtf8Bytes(new ImagePushRequest { Credentials = credentials }, ImageApiJsonContext.Default.ImagePushRequest));
        return await LastEventAsync($"push {reference}", EventsAsync(Segment(reference) + "/push", body, $"push {reference}", cancellationToken), progress)
            .ConfigureAwait(false);
    }

    /// <summary>Removes what no name reaches (blobs, unpacked layers), and with <paramref name="all"/> the names of images
    /// no system uses, as `carton image prune`; returns what was removed and the bytes reclaimed.</summary>
    public async Task<ImagePruneResponse> PruneAsync(bool all = false, CancellationToken cancellationToken = default)
    {
        var body = ComputeClient.Json(JsonSerializer.SerializeToUtf8Bytes(new ImagePruneRequest { All = all }, ImageApiJsonContext.Default.ImagePruneRequest));
        return await SendJsonAsync(HttpMethod.Post, "v1/images/prune", body, ImageApiJsonContext.Default.ImagePruneResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a transfer's events to its end: progress reported, the result returned, an error thrown.</summary>
    private static async Task<ImageTransferEvent> LastEventAsync(string what, IAsyncEnumerable<ImageTransferEvent> events, IProgress<ImageTransferEvent>? progress)
    {
        await foreach (var e in events.ConfigureAwait(false))
        {
            switch (e.Type)
            {
                case ImageTransferEvent.ProgressType:
                    progress?.Report(e);
                    break;
                case ImageTransferEvent.ResultType:
                    return e;
                case ImageTransferEvent.ErrorType:
                    throw ErrorMapping.ToCartonException(e.Error?.Code, e.Error?.Kind, e.Error?.Message, e.Error?.JsonPath, e.Error?.Errno);
            }
        }
        throw new CartonException(ErrorKind.Unavailable, $"{what}: carton serve ended the stream without a result", code: "Protocol");
    }

    /// <summary>
    /// The pull's events as they come: "progress" events, then one "result" or "error" event (returned, not thrown).
    /// A request the daemon refuses before streaming (a bad reference, 400) throws. A stream cut short (the daemon
    /// died) throws Unavailable.
    /// </summary>
    public async IAsyncEnumerable<ImageTransferEvent> PullEventsAsync(ImagePullRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = ComputeClient.Json(JsonSerializer.SerializeToUtf8Bytes(request, ImageApiJsonContext.Default.ImagePullRequest));
        await foreach (var e in EventsAsync("v1/images/pull", body, $"pull {request.Reference}", cancellationToken).ConfigureAwait(false))
            yield return e;
    }

    /// <summary>A transfer's x-ndjson event stream from <paramref name="path"/>.</summary>
    private async IAsyncEnumerable<ImageTransferEvent> EventsAsync(string path, HttpContent body, string what,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(HttpMethod.Post, path, body, cancellationToken,
            HttpCompletionOption.ResponseHeadersRead, plainErrors: true).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception x) when (x is IOException or HttpRequestException)
            {
                throw new CartonException(ErrorKind.Unavailable, $"{what}: the stream from carton serve broke off: {x.Message}", x);
            }
            if (line is null) yield break;
            if (line.Length == 0) continue;
            ImageTransferEvent? e;
            try
            {
                e = JsonSerializer.Deserialize(line, ImageApiJsonContext.Default.ImageTransferEvent);
            }
            catch (JsonException x)
            {
                throw new CartonException(ErrorKind.Internal, $"{what}: carton serve sent what is not an event: {x.Message}", x, code: "Protocol");
            }
            if (e is not null) yield return e;
        }
    }

    /// <summary>Every named image in the daemon's store.</summary>
    public async Task<IReadOnlyList<ImageSummary>> ListAsync(CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "v1/images", null, ImageApiJsonContext.Default.ListImageSummary, cancellationToken).ConfigureAwait(false);

    /// <summary>The image named <paramref name="reference"/>, resolved to <paramref name="platform"/> (default the
    /// daemon host's): its digests, manifest and config. NotFound when the store has no such name.</summary>
    public Task<ImageDetails> InspectAsync(string reference, string? platform = null, CancellationToken cancellationToken = default)
    {
        var path = Segment(reference);
        if (platform is not null) path += "?platform=" + Uri.EscapeDataString(platform);
        return SendJsonAsync(HttpMethod.Get, path, null, ImageApiJsonContext.Default.ImageDetails, cancellationToken);
    }

    /// <summary>Gives the image <paramref name="source"/> (a name, or a named image's digest) the name
    /// <paramref name="target"/>, as `docker tag` does; returns the new name, canonical.</summary>
    public async Task<string> TagAsync(string source, string target, CancellationToken cancellationToken = default)
    {
        var body = ComputeClient.Json(JsonSerializer.SerializeToUtf8Bytes(new ImageTagRequest { Target = target }, ImageApiJsonContext.Default.ImageTagRequest));
        var result = await SendJsonAsync(HttpMethod.Post, Segment(source) + "/tag", body, ImageApiJsonContext.Default.ImageTagResult, cancellationToken).ConfigureAwait(false);
        return result.Name;
    }

    /// <summary>Removes the name <paramref name="reference"/> (the blobs stay for a prune); NotFound when no image has it.</summary>
    public async Task RemoveAsync(string reference, CancellationToken cancellationToken = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Delete, Segment(reference), null, cancellationToken, plainErrors: true).ConfigureAwait(false);
    }

    /// <summary>Closes the connections when the client has its own (not when it is <see cref="ComputeClient.Images"/>).</summary>
    public void Dispose()
    {
        if (_ownsTransport) _transport.Dispose();
    }

    /// <summary>A reference as one path segment (its slashes as %2F); an empty one would be another route.</summary>
    private static string Segment(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Length == 0)
            throw new CartonException(ErrorKind.InvalidDocument, "ref: an image reference is required", jsonPath: "ref", reason: "an image reference is required");
        return "v1/images/" + Uri.EscapeDataString(reference);
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
