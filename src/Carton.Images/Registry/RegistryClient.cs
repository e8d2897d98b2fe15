using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Carton.Images.Content;
using Carton.Images.Model;
using Polly;

namespace Carton.Images.Registry;

/// <summary>
/// The pull side of distribution-spec v1.1 against one registry (the push side is in RegistryClient.Push.cs): manifests (by tag or digest, resolved through an
/// index to a platform), and blobs streamed into the <see cref="ContentStore"/> with their digest checked as they
/// arrive. Authentication follows the registry's 401 challenge (Docker's token authentication spec for Bearer,
/// RFC 7617 for Basic); every request runs in a Polly retry pipeline (<see cref="RetryPipeline"/>).
/// One instance per registry host: the TLS trust (its certs.d CA) and the tokens belong to that host.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    /// <summary>Manifests larger than this are refused (containerd's limit too): they are JSON, not data.</summary>
    public const int MaxManifestBytes = 4 << 20;

    // distribution-spec spec.md, "Pulling manifests": the client names every type it understands in Accept. Schema 1
    // is left out, so a registry that can convert serves schema 2; one that cannot still sends it, and it is refused.
    private static readonly string[] ManifestAccept =
        [MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifest];

    private readonly RegistryOptions _options;
    private readonly HttpClient _http;
    private readonly RegistryTrust _trust;
    private readonly ResiliencePipeline _pipeline;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _endpointLock = new(1, 1);
    private readonly RegistryCredentials? _credentials;
    private Uri? _baseUri;
    private volatile bool _useBasic;

    /// <param name="registry">the registry as a reference names it (host[:port]); docker.io is reached at registry-1.docker.io.</param>
    /// <param name="options">trust, credentials, retries.</param>
    public RegistryClient(string registry, RegistryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        Registry = registry;
        _options = options ?? new RegistryOptions();
        _trust = new RegistryTrust(registry, _options.CertsDirectory, _options.Insecure);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Blobs are hashed as sent: never let the handler decompress them.
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => _trust.Validate(certificate, chain, errors);
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd(_options.UserAgent);
        _pipeline = RetryPipeline.Create(_options);
        _credentials = _options.CredentialsFor(registry);
    }

    /// <summary>The registry (host[:port]) as references name it.</summary>
    public string Registry { get; }

    /// <summary>The scheme and host requests go to, once known (https, or http where allowed and TLS is not spoken).</summary>
    public Uri? BaseUri => _baseUri;

    /// <summary>True when plain HTTP may be used: the Insecure option, or a loopback registry (as Docker allows).</summary>
    public bool AllowsPlainHttp => _options.Insecure || IsLoopback(ImageReference.ApiHostOf(Registry));

    /// <summary>
    /// Fetches a manifest or index by tag or digest. With <paramref name="expected"/> the bytes must hash to it
    /// (distribution-spec: a client pulling by digest verifies the content); otherwise the digest is the sha256 of the
    /// bytes, and a Docker-Content-Digest header that disagrees is an error.
    /// </summary>
    public async Task<FetchedManifest> GetManifestAsync(ImageReference image, string reference, Digest? expected = null,
        long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        var what = expected is { } e ? $"manifest {e}" : $"manifest {reference}";
        var context = $"image {image}: {what}";
        try
        {
            return await _pipeline.ExecuteAsync(async ct =>
            {
                using var response = await SendAsync(image, b => Get(b, $"/v2/{image.Repository}/manifests/{reference}", ManifestAccept), ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) throw await StatusErrorAsync(response, context, ct).ConfigureAwait(false);
                var declared = response.Content.Headers.ContentLength;
                if (declared > MaxManifestBytes)
                    throw new CartonException(ErrorKind.InvalidDocument, $"{context}: {declared} bytes, more than the {MaxManifestBytes} a manifest may have");
                var body = await ReadBoundedAsync(response, MaxManifestBytes, context, ct).ConfigureAwait(false);
                if (declared is { } len && body.Length < len) throw new TruncatedBodyException(body.Length, len);
                var contentType = response.Content.Headers.ContentType?.MediaType;
                var mediaType = ManifestDocuments.Classify(body, contentType, context);
                var digest = expected is { } want ? want.From(HashOf(want, body)) : Digest.Sha256(body);
                if (expected is { } wanted && digest != wanted)
                    throw new CartonException(ErrorKind.InvalidDocument, $"{context}: digest mismatch: the content's digest is {digest}", jsonPath: "digest", reason: $"content digest is {digest}");
                if (expectedSize is { } size && body.Length != size)
                    throw new CartonException(ErrorKind.InvalidDocument, $"{context}: {body.Length} bytes, but its descriptor declares {size}", jsonPath: "size");
                if (response.Headers.TryGetValues("Docker-Content-Digest", out var headerValues)
                    && Digest.TryParse(headerValues.FirstOrDefault(), out var headerDigest) && headerDigest.Algorithm == digest.Algorithm && headerDigest != digest)
                    throw new CartonException(ErrorKind.InvalidDocument, $"{context}: digest mismatch: the registry says {headerDigest}, the content's digest is {digest}", jsonPath: "digest");
                return new FetchedManifest(mediaType, body, digest);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not CartonException && !IsCallerCancellation(ex, cancellationToken))
        {
            throw Wrap(ex, context);
        }
    }

    /// <summary>
    /// Resolves <paramref name="image"/> to one image manifest: an index or manifest list is walked to the entry for
    /// <paramref name="platform"/> (default <see cref="RegistryOptions.Platform"/>, else the host's).
    /// </summary>
    public async Task<ResolvedImage> ResolveAsync(ImageReference image, Platform? platform = null, CancellationToken cancellationToken = default)
    {
        platform ??= _options.Platform ?? Platform.Host();
        var top = await GetManifestAsync(image, image.ManifestReference, image.Digest, null, cancellationToken).ConfigureAwait(false);
        if (MediaTypes.IsManifest(top.MediaType))
        {
            var parsed = ManifestDocuments.ParseManifest(top.Content, $"image {image}: manifest {top.Digest}");
            return new ResolvedImage(image, null, top, top.ToDescriptor(), parsed);
        }
        var index = ManifestDocuments.ParseIndex(top.Content, $"image {image}: index {top.Digest}");
        var entry = PlatformMatcher.Select(index.Manifests, platform)
            ?? throw new CartonException(ErrorKind.NotFound,
                $"image {image}: index {top.Digest} has no manifest for platform {platform} (it has: {string.Join(", ", index.Manifests.Select(m => m.Platform?.ToString() ?? "no platform"))})");
        var entryDigest = Digest.Parse(entry.Digest, "manifests[].digest");
        var manifest = await GetManifestAsync(image, entryDigest.ToString(), entryDigest, entry.Size, cancellationToken).ConfigureAwait(false);
        if (!MediaTypes.IsManifest(manifest.MediaType))
            throw new CartonException(ErrorKind.Unsupported, $"image {image}: index {top.Digest} points at {manifest.MediaType} {entryDigest} for {platform}, not at an image manifest");
        var manifestParsed = ManifestDocuments.ParseManifest(manifest.Content, $"image {image}: manifest {manifest.Digest}");
        var descriptor = manifest.ToDescriptor(entry.Platform);
        return new ResolvedImage(image, top, manifest, descriptor, manifestParsed);
    }

    /// <summary>
    /// Downloads <paramref name="blob"/> into <paramref name="store"/> unless it is there. Bytes are hashed as they
    /// arrive; a dropped or stalled connection is retried with a <c>Range</c> request from the bytes already on disk
    /// (distribution-spec spec.md, "Pulling blobs": registries SHOULD support Range). Returns
    /// <see cref="PullState.Exists"/> or <see cref="PullState.Done"/>.
    /// </summary>
    public async Task<PullState> DownloadBlobAsync(ImageReference image, Descriptor blob, ContentStore store,
        IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var digest = Digest.Parse(blob.Digest, "digest");
        var context = $"image {image}: blob {digest}";
        await using var session = await store.BeginIngestAsync(digest, blob.Size, cancellationToken).ConfigureAwait(false);
        if (session.Exists)
        {
            progress?.Report(new PullProgress(digest, blob.Size, blob.Size, PullState.Exists, blob.MediaType));
            return PullState.Exists;
        }
        progress?.Report(new PullProgress(digest, session.Offset, blob.Size, PullState.Downloading, blob.MediaType));
        try
        {
            await _pipeline.ExecuteAsync(async ct =>
            {
                if (session.Offset == blob.Size) return; // an earlier attempt got every byte
                long offset = session.Offset;
                using var response = await SendAsync(image, b =>
                {
                    var request = Get(b, $"/v2/{image.Repository}/blobs/{digest}", null);
                    if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
                    return request;
                }, ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    session.Restart();
                    throw new IOException($"the registry refused the range from byte {offset}");
                }
                if (!response.IsSuccessStatusCode) throw await StatusErrorAsync(response, context, ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    if (response.Content.Headers.ContentRange?.From != offset)
                    {
                        session.Restart();
                        throw new IOException($"the registry answered a range from byte {offset} with {response.Content.Headers.ContentRange}");
                    }
                }
                else if (offset > 0)
                {
                    session.Restart(); // a 200 is the whole blob again
                }
                await CopyBodyAsync(response, session, blob, digest, progress, ct).ConfigureAwait(false);
                if (session.Offset < blob.Size) throw new TruncatedBodyException(session.Offset, blob.Size);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (IoErrors.IsOutOfSpace(ex))
        {
            throw IoErrors.OutOfSpace($"{context}: write to the content store {store.Root}", ex);
        }
        catch (Exception ex) when (ex is not CartonException && !IsCallerCancellation(ex, cancellationToken))
        {
            throw Wrap(ex, context);
        }
        catch (CartonException ex) when (!ex.Message.StartsWith("image ", StringComparison.Ordinal))
        {
            throw new CartonException(ex.Kind, $"image {image}: {ex.Message}", ex, ex.Errno, ex.JsonPath, ex.Reason);
        }
        progress?.Report(new PullProgress(digest, session.Offset, blob.Size, PullState.Verifying, blob.MediaType));
        try
        {
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CartonException ex)
        {
            throw new CartonException(ex.Kind, $"image {image}: {ex.Message}", ex, ex.Errno, ex.JsonPath, ex.Reason);
        }
        progress?.Report(new PullProgress(digest, blob.Size, blob.Size, PullState.Done, blob.MediaType));
        return PullState.Done;
    }

    private async Task CopyBodyAsync(HttpResponseMessage response, IngestSession session, Descriptor blob, Digest digest,
        IProgress<PullProgress>? progress, CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new byte[1 << 16];
        var clock = Stopwatch.StartNew();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            idle.CancelAfter(_options.IdleTimeout);
            int n;
            try
            {
                n = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new IdleTimeoutException(_options.IdleTimeout);
            }
            if (n == 0) break;
            await session.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            if (progress is not null && clock.ElapsedMilliseconds >= 100)
            {
                clock.Restart();
                progress.Report(new PullProgress(digest, session.Offset, blob.Size, PullState.Downloading, blob.MediaType));
            }
        }
    }

    /// <summary>
    /// Sends one request with whatever authorization this registry wants: a cached bearer token for the repository's
    /// pull scope, or basic auth; a 401 with a challenge is answered once (token fetched, or basic credentials sent).
    /// 429 and 5xx become <see cref="RetryableStatusException"/> for the pipeline; other statuses go to the caller.
    /// </summary>
    /// <param name="scope">the token scopes the request needs, space-separated (default: pull on the image's
    /// repository); a push asks for <c>pull,push</c>, a cross-repository mount adds pull on the source.</param>
    private async Task<HttpResponseMessage> SendAsync(ImageReference image, Func<Uri, HttpRequestMessage> build, CancellationToken ct,
        string? scope = null)
    {
        var baseUri = await EnsureEndpointAsync(ct).ConfigureAwait(false);
        scope ??= $"repository:{image.Repository}:pull";
        for (int attempt = 0; ; attempt++)
        {
            using var request = build(baseUri);
            Authorize(request, scope);
            var response = await SendWithIdleTimeoutAsync(request, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && Challenge(response) is { } challenge)
            {
                response.Dispose();
                await AnswerChallengeAsync(challenge, scope, $"image {image}", ct).ConfigureAwait(false);
                continue;
            }
            if (RetryPipeline.IsRetryableStatus(response.StatusCode))
            {
                var detail = await ErrorDetailAsync(response, ct).ConfigureAwait(false);
                var after = RetryPipeline.RetryAfter(response.Headers.RetryAfter);
                var status = response.StatusCode;
                response.Dispose();
                throw new RetryableStatusException(status, detail, after);
            }
            return response;
        }
    }

    private async Task<HttpResponseMessage> SendWithIdleTimeoutAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(_options.IdleTimeout);
        // An upload's response comes only after its whole body: every chunk written counts as activity.
        var upload = request.Content as BlobUploadContent;
        Action<long> active = _ => idle.CancelAfter(_options.IdleTimeout);
        if (upload is not null) upload.Sent += active;
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && idle.IsCancellationRequested)
        {
            throw new IdleTimeoutException(_options.IdleTimeout);
        }
        finally
        {
            if (upload is not null) upload.Sent -= active;
        }
    }

    /// <summary>
    /// Checks that the registry accepts this client's credentials, as `docker login` does (registry/auth.go,
    /// loginV2): GET /v2/ (distribution-spec spec.md, "Determining support"), its 401 challenge answered with the
    /// credentials (basic, or a bearer token fetched with them), and /v2/ asked again: a 200 means they are good.
    /// A registry that answers /v2/ without a challenge needs none, and that passes too. Refused credentials are
    /// PermissionDenied naming the user.
    /// </summary>
    public async Task CheckLoginAsync(CancellationToken cancellationToken = default)
    {
        var context = $"login to registry {Registry}";
        try
        {
            await _pipeline.ExecuteAsync(async ct =>
            {
                var baseUri = await EnsureEndpointAsync(ct).ConfigureAwait(false);
                for (int attempt = 0; ; attempt++)
                {
                    using var request = Get(baseUri, "/v2/", null);
                    Authorize(request, "");
                    using var response = await SendWithIdleTimeoutAsync(request, ct).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && Challenge(response) is { } challenge)
                    {
                        await AnswerChallengeAsync(challenge, null, context, ct).ConfigureAwait(false);
                        continue;
                    }
                    if (RetryPipeline.IsRetryableStatus(response.StatusCode))
                        throw new RetryableStatusException(response.StatusCode, await ErrorDetailAsync(response, ct).ConfigureAwait(false),
                            RetryPipeline.RetryAfter(response.Headers.RetryAfter));
                    if (!response.IsSuccessStatusCode) throw await StatusErrorAsync(response, context, ct).ConfigureAwait(false);
                    return;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not CartonException && !IsCallerCancellation(ex, cancellationToken))
        {
            throw Wrap(ex, context);
        }
    }

    private void Authorize(HttpRequestMessage request, string scope)
    {
        if (_tokens.TryGetValue(scope, out var token) && token.Expires > DateTimeOffset.UtcNow)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        else if (_useBasic && _credentials is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _credentials.BasicToken());
    }

    private static AuthChallenge? Challenge(HttpResponseMessage response)
    {
        AuthChallenge? basic = null;
        foreach (var header in response.Headers.WwwAuthenticate)
        {
            var challenge = AuthChallenge.Parse(header.Scheme, header.Parameter);
            if (challenge.IsBearer) return challenge;
            if (challenge.IsBasic) basic ??= challenge;
        }
        return basic;
    }

    /// <param name="scope">the token scope wanted; null for none (a login check: a token for the registry as such).</param>
    /// <param name="context">what the caller is doing, for errors ("image 127.0.0.1:5000/app:1").</param>
    private async Task AnswerChallengeAsync(AuthChallenge challenge, string? scope, string context, CancellationToken ct)
    {
        if (challenge.IsBasic)
        {
            if (_credentials is null)
                throw new CartonException(ErrorKind.PermissionDenied,
                    $"{context}: registry {Registry} requires authentication (basic) and no credentials were given (--creds, or docker login's config.json)");
            _useBasic = true;
            return;
        }
        if (string.IsNullOrEmpty(challenge.Realm) || !Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm)
            || realm.Scheme is not ("https" or "http"))
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: registry {Registry} sent a bearer challenge without a usable realm (\"{challenge.Realm}\")");
        // Docker's token spec: GET realm?service=…&scope=…, with basic credentials when there are some (else anonymous).
        var query = new List<string>();
        if (!string.IsNullOrEmpty(challenge.Service)) query.Add("service=" + Uri.EscapeDataString(challenge.Service));
        // One scope parameter per scope (the token spec repeats "scope"); a push with a mount asks for two repositories.
        var scopes = scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        foreach (var s in scopes) query.Add("scope=" + Uri.EscapeDataString(s));
        if (!string.IsNullOrEmpty(challenge.Scope) && !scopes.Contains(challenge.Scope)) query.Add("scope=" + Uri.EscapeDataString(challenge.Scope));
        // docker login's token request names the account (the token spec's "account" parameter).
        if (scope is null && _credentials is not null) query.Add("account=" + Uri.EscapeDataString(_credentials.Username));
        var builder = new UriBuilder(realm) { Query = string.Join('&', (realm.Query.Length > 1 ? [realm.Query[1..]] : Array.Empty<string>()).Concat(query)) };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (_credentials is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _credentials.BasicToken());
        using var response = await SendWithIdleTimeoutAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new CartonException(ErrorKind.PermissionDenied,
                $"{context}: the token service {realm.GetLeftPart(UriPartial.Path)} refused {(_credentials is null ? "anonymous access" : $"the credentials of user {_credentials.Username}")} ({(int)response.StatusCode})");
        if (RetryPipeline.IsRetryableStatus(response.StatusCode))
            throw new RetryableStatusException(response.StatusCode, "from the token service", RetryPipeline.RetryAfter(response.Headers.RetryAfter));
        if (!response.IsSuccessStatusCode)
            throw new CartonException(ErrorTable.KindOfStatus((int)response.StatusCode),
                $"{context}: the token service {realm.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}");
        var body = await ReadBoundedAsync(response, 1 << 20, $"{context}: token", ct).ConfigureAwait(false);
        TokenResponse? token;
        try
        {
            token = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.TokenResponse);
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: the token service answered malformed JSON: {e.Message}", e);
        }
        var value = token?.Token ?? token?.AccessToken;
        if (string.IsNullOrEmpty(value))
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: the token service answered no token");
        // The token spec: expires_in defaults to 60 s; renew a little early.
        var lifetime = TimeSpan.FromSeconds(Math.Max(token!.ExpiresIn ?? 60, 10) - 5);
        _tokens[scope ?? ""] = new CachedToken(value, DateTimeOffset.UtcNow + lifetime);
    }

    /// <summary>
    /// The scheme to use, found once: https first; when TLS is not spoken at all (not when a certificate was refused)
    /// and plain HTTP is allowed, http. A certificate refused is an error naming the CA file to add.
    /// </summary>
    private async Task<Uri> EnsureEndpointAsync(CancellationToken ct)
    {
        if (_baseUri is { } known) return known;
        await _endpointLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_baseUri is { } again) return again;
            var host = ImageReference.ApiHostOf(Registry);
            var https = new Uri($"https://{host}");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "/v2/"));
                using var response = await SendWithIdleTimeoutAsync(request, ct).ConfigureAwait(false);
                return _baseUri = https;
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
            {
                if (_trust.LastRejection is { } why)
                    throw new CartonException(ErrorKind.PermissionDenied, $"registry {Registry}: TLS certificate refused: {why}", e);
                if (!AllowsPlainHttp)
                    throw new CartonException(ErrorKind.Unavailable,
                        $"registry {Registry}: TLS handshake failed ({e.InnerException?.Message ?? e.Message}); plain HTTP is used only for localhost, 127.0.0.0/8, or with the insecure option", e);
            }
            var http = new Uri($"http://{host}");
            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(http, "/v2/")))
            using (var response = await SendWithIdleTimeoutAsync(request, ct).ConfigureAwait(false))
                return _baseUri = http;
        }
        finally
        {
            _endpointLock.Release();
        }
    }

    private static HttpRequestMessage Get(Uri baseUri, string path, string[]? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, path));
        if (accept is not null)
            foreach (var type in accept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        return request;
    }

    /// <summary>The error for a non-success status the pipeline does not retry.</summary>
    private async Task<CartonException> StatusErrorAsync(HttpResponseMessage response, string context, CancellationToken ct)
    {
        var detail = await ErrorDetailAsync(response, ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var suffix = detail is null ? "" : $" ({detail})";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CartonException(ErrorKind.PermissionDenied,
                $"{context}: authentication failed at registry {Registry}{(_credentials is null ? " (no credentials given)" : $" for user {_credentials.Username}")}: 401 Unauthorized{suffix}"),
            HttpStatusCode.Forbidden => new CartonException(ErrorKind.PermissionDenied, $"{context}: access denied by registry {Registry}: 403 Forbidden{suffix}"),
            HttpStatusCode.NotFound => new CartonException(ErrorKind.NotFound, $"{context}: not found at registry {Registry}: 404 Not Found{suffix}"),
            _ => new CartonException(ErrorTable.KindOfStatus(status), $"{context}: registry {Registry} answered {status} {response.ReasonPhrase}{suffix}"),
        };
    }

    private static async Task<string?> ErrorDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await ReadBoundedAsync(response, 64 << 10, "error body", ct).ConfigureAwait(false);
            return RegistryErrorBody.Describe(body);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or CartonException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int limit, string context, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit)
                throw new CartonException(ErrorKind.InvalidDocument, $"{context}: more than the {limit} bytes allowed");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static System.Security.Cryptography.IncrementalHash HashOf(Digest algorithmOf, byte[] body)
    {
        var hash = algorithmOf.NewHash();
        hash.AppendData(body);
        return hash;
    }

    /// <summary>What is left of a failure once the pipeline gave up, as a CartonException naming image and digest.</summary>
    private CartonException Wrap(Exception ex, string context)
    {
        var retried = _options.MaxRetries > 0 ? $" after {_options.MaxRetries} retries" : "";
        return ex switch
        {
            RetryableStatusException { Status: HttpStatusCode.TooManyRequests } r => new CartonException(ErrorKind.Unavailable,
                $"{context}: registry {Registry} kept answering 429 Too Many Requests{retried}{(r.Detail is null ? "" : $" ({r.Detail})")}", ex),
            RetryableStatusException r => new CartonException(ErrorKind.Unavailable,
                $"{context}: registry {Registry} kept answering {(int)r.Status} {r.Status}{retried}{(r.Detail is null ? "" : $" ({r.Detail})")}", ex),
            TruncatedBodyException t => new CartonException(ErrorKind.Unavailable,
                $"{context}: truncated: the registry sent {t.Got} of {t.Expected} bytes{retried}", ex),
            IdleTimeoutException => new CartonException(ErrorKind.Timeout, $"{context}: registry {Registry} sent nothing for {_options.IdleTimeout.TotalSeconds:0.#} s{retried}", ex),
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } h => new CartonException(ErrorKind.Unavailable,
                $"{context}: TLS with registry {Registry} failed: {_trust.LastRejection ?? h.InnerException?.Message ?? h.Message}", ex),
            HttpRequestException or IOException => new CartonException(ErrorKind.Unavailable,
                $"{context}: connection to registry {Registry} failed{retried}: {Describe(ex)}", ex),
            OperationCanceledException => new CartonException(ErrorKind.Timeout, $"{context}: registry {Registry} timed out{retried}", ex),
            _ => new CartonException(ErrorKind.Internal, $"{context}: {ex.Message}", ex),
        };
    }

    private static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException) parts.Add(e.Message);
        return string.Join(": ", parts.Distinct());
    }

    private static bool IsCallerCancellation(Exception ex, CancellationToken ct) => ex is OperationCanceledException && ct.IsCancellationRequested;

    /// <summary>localhost, 127.0.0.0/8 and ::1, with or without a port.</summary>
    public static bool IsLoopback(string hostPort)
    {
        var host = hostPort;
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? host[1..close] : host;
        }
        else if (host.IndexOf(':', StringComparison.Ordinal) is var c and >= 0)
        {
            host = host[..c];
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    public void Dispose()
    {
        _http.Dispose();
        _endpointLock.Dispose();
    }

    private sealed record CachedToken(string Token, DateTimeOffset Expires);
}
