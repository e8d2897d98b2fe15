using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Carton.Images.Content;
using Carton.Images.Model;

namespace Carton.Images.Registry;

/// <summary>
/// The push side of distribution-spec v1.1 (spec.md, "Push"): HEAD to skip what the registry has, cross-repository
/// mounts, blobs uploaded monolithically (POST then PUT) or in chunks (POST, PATCH with Content-Range, PUT), and
/// manifests PUT with their media type. Every request asks for a token with <c>pull,push</c> on the repository.
/// </summary>
public sealed partial class RegistryClient
{
    private static string PushScope(ImageReference image) => $"repository:{image.Repository}:pull,push";

    /// <summary>True when the repository has the blob (spec.md, "Checking if content exists in the registry": HEAD, 200 or 404).</summary>
    public Task<bool> HasBlobAsync(ImageReference image, Digest digest, CancellationToken cancellationToken = default) =>
        ExistsAsync(image, $"/v2/{image.Repository}/blobs/{digest}", $"image {image}: blob {digest}", null, cancellationToken);

    /// <summary>True when the repository has the manifest or index <paramref name="digest"/>.</summary>
    public Task<bool> HasManifestAsync(ImageReference image, Digest digest, CancellationToken cancellationToken = default) =>
        ExistsAsync(image, $"/v2/{image.Repository}/manifests/{digest}", $"image {image}: manifest {digest}", ManifestAccept, cancellationToken);

    private async Task<bool> ExistsAsync(ImageReference image, string path, string context, string[]? accept, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async ct =>
            {
                using var response = await SendAsync(image, b =>
                {
                    var request = Get(b, path, accept);
                    request.Method = HttpMethod.Head;
                    return request;
                }, ct, PushScope(image)).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound) return false;
                if (!response.IsSuccessStatusCode) throw await StatusErrorAsync(response, context, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not CartonException && !IsCallerCancellation(ex, cancellationToken))
        {
            throw Wrap(ex, context);
        }
    }

    /// <summary>
    /// Puts <paramref name="blob"/> into the image's repository unless it is there: HEAD first (<see cref="PushState.Exists"/>),
    /// then a mount from each of <paramref name="mountFrom"/> (other repositories of this registry that should have
    /// it; <see cref="PushState.Mounted"/> on a 201), else an upload from <paramref name="store"/> into the session the
    /// registry opened instead (a 202, spec.md "Mounting a blob from another repository") or a new one.
    /// Uploads of up to <see cref="RegistryOptions.ChunkSize"/> bytes are one PUT; larger ones go in chunks, and a
    /// failed chunk resumes from the offset the registry reports (GET on the session) instead of starting over.
    /// </summary>
    public async Task<PushState> PushBlobAsync(ImageReference image, Descriptor blob, ContentStore store, IReadOnlyList<string> mountFrom,
        IProgress<PushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var digest = Digest.Parse(blob.Digest, "digest");
        var context = $"image {image}: blob {digest}";
        try
        {
            if (await HasBlobAsync(image, digest, cancellationToken).ConfigureAwait(false))
            {
                progress?.Report(new PushProgress(digest, blob.Size, blob.Size, PushState.Exists, blob.MediaType));
                return PushState.Exists;
            }
            var session = new UploadSession();
            foreach (var from in mountFrom)
            {
                if (from == image.Repository) continue;
                if (await TryMountAsync(image, digest, from, session, context, cancellationToken).ConfigureAwait(false))
                {
                    progress?.Report(new PushProgress(digest, blob.Size, blob.Size, PushState.Mounted, blob.MediaType, from));
                    return PushState.Mounted;
                }
            }
            var size = store.SizeOf(digest)
                ?? throw new CartonException(ErrorKind.NotFound,
                    $"{context}: not in the content store {store.Root}, nor at registry {Registry}{(mountFrom.Count > 0 ? $" in {string.Join(", ", mountFrom)}" : "")}");
            if (size != blob.Size)
                throw new CartonException(ErrorKind.InvalidDocument, $"{context}: the stored blob has {size} bytes, its descriptor declares {blob.Size}", jsonPath: "size");
            progress?.Report(new PushProgress(digest, 0, size, PushState.Uploading, blob.MediaType));
            await _pipeline.ExecuteAsync(ct => UploadAttemptAsync(image, digest, store.BlobPath(digest), size, blob.MediaType, session, context, progress, ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not CartonException && !IsCallerCancellation(ex, cancellationToken))
        {
            throw Wrap(ex, context);
        }
        progress?.Report(new PushProgress(digest, blob.Size, blob.Size, PushState.Done, blob.MediaType));
        return PushState.Done;
    }

    /// <summary>An upload's session across the pipeline's attempts: where it is, and how many bytes the registry has.</summary>
    private sealed class UploadSession
    {
        public Uri? Location;
        public long Offset;
        public long MinChunk;
        public bool Used;
    }

    /// <summary>POST ?mount=&amp;from=: true on 201; a 202 leaves its upload session in <paramref name="session"/>; a
    /// refusal (401, 403, 404: the source is not readable) is no error, the blob is uploaded instead.</summary>
    private async Task<bool> TryMountAsync(ImageReference image, Digest digest, string from, UploadSession session, string context, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async ct =>
            {
                using var response = await SendAsync(image,
                    b => Post(b, $"/v2/{image.Repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(from)}"),
                    ct, $"{PushScope(image)} repository:{from}:pull").ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Created) return true;
                if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is not null)
                {
                    session.Location = LocationOf(response, context);
                    session.Offset = 0;
                    session.Used = false;
                    session.MinChunk = ChunkMinimum(response);
                }
                return false;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (CartonException e) when (e.Kind is ErrorKind.PermissionDenied or ErrorKind.NotFound)
        {
            return false;
        }
    }

    private async ValueTask UploadAttemptAsync(ImageReference image, Digest digest, string path, long size, string mediaType, UploadSession session,
        string context, IProgress<PushProgress>? progress, CancellationToken ct)
    {
        var scope = PushScope(image);
        // A later attempt: resume a chunked upload from what the registry has, else start a new session.
        if (session.Used && !(session.Offset > 0 && session.Location is not null && await UploadStatusAsync(image, session, ct).ConfigureAwait(false)))
            session.Location = null;
        if (session.Location is null)
        {
            // spec.md, "Pushing a blob in chunks": the POST that opens a session carries Content-Length: 0.
            using var started = await SendAsync(image, b => Post(b, $"/v2/{image.Repository}/blobs/uploads/"), ct, scope).ConfigureAwait(false);
            if (started.StatusCode != HttpStatusCode.Accepted) throw await UnexpectedAsync(started, context, "opening an upload", ct).ConfigureAwait(false);
            session.Location = LocationOf(started, context);
            session.Offset = 0;
            session.MinChunk = ChunkMinimum(started);
        }
        session.Used = true;
        var chunk = Math.Max(Math.Max(1, _options.ChunkSize), session.MinChunk);
        var clock = Stopwatch.StartNew();
        void Report(long done)
        {
            if (progress is null || clock.ElapsedMilliseconds < 100) return;
            clock.Restart();
            progress.Report(new PushProgress(digest, done, size, PushState.Uploading, mediaType));
        }

        if (session.Offset == 0 && size <= chunk)
        {
            // Monolithic: the whole blob in the PUT that closes the session.
            using var put = await SendAsync(image, _ =>
            {
                var content = new BlobUploadContent(path, 0, size);
                content.Sent += Report;
                return new HttpRequestMessage(HttpMethod.Put, WithDigest(session.Location!, digest)) { Content = content };
            }, ct, scope).ConfigureAwait(false);
            if (put.StatusCode != HttpStatusCode.Created) throw await UnexpectedAsync(put, context, "the upload's PUT", ct).ConfigureAwait(false);
            CheckDigestHeader(put, digest, context);
            return;
        }
        while (session.Offset < size)
        {
            long start = session.Offset, length = Math.Min(chunk, size - start);
            using var patch = await SendAsync(image, _ =>
            {
                var content = new BlobUploadContent(path, start, length);
                content.Sent += n => Report(start + n);
                // spec.md: "<range> ... MUST be inclusive on both ends", ^[0-9]+-[0-9]+$ (no "bytes " unit).
                content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
                return new HttpRequestMessage(HttpMethod.Patch, session.Location!) { Content = content };
            }, ct, scope).ConfigureAwait(false);
            if (patch.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                throw new IOException($"the registry refused the chunk from byte {start} (416): the upload resumes from the offset it reports");
            if (patch.StatusCode != HttpStatusCode.Accepted) throw await UnexpectedAsync(patch, context, $"the chunk from byte {start}", ct).ConfigureAwait(false);
            session.Location = LocationOf(patch, context);
            var end = RangeEnd(patch);
            if (end is { } e && e != start + length - 1)
                throw new IOException($"the registry has bytes 0-{e} after the chunk {start}-{start + length - 1}");
            session.Offset = start + length;
            progress?.Report(new PushProgress(digest, session.Offset, size, PushState.Uploading, mediaType));
        }
        using var close = await SendAsync(image, _ => new HttpRequestMessage(HttpMethod.Put, WithDigest(session.Location!, digest))
        {
            Content = new ByteArrayContent([]),
        }, ct, scope).ConfigureAwait(false);
        if (close.StatusCode != HttpStatusCode.Created) throw await UnexpectedAsync(close, context, "the upload's closing PUT", ct).ConfigureAwait(false);
        CheckDigestHeader(close, digest, context);
    }

    /// <summary>GET on the session (spec.md, "To get the current status after a 416 error"): 204 with Range 0-END.
    /// False when the session is gone (the registry forgot it, or it never had a byte): the caller starts over.</summary>
    private async Task<bool> UploadStatusAsync(ImageReference image, UploadSession session, CancellationToken ct)
    {
        using var response = await SendAsync(image, _ => new HttpRequestMessage(HttpMethod.Get, session.Location!), ct, PushScope(image)).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NoContent) return false;
        // distribution answers "0-0" both for nothing and for one byte: only a larger end is trusted.
        if (RangeEnd(response) is not { } end || end <= 0) return false;
        session.Location = response.Headers.Location is null ? session.Location : LocationOf(response, "upload status");
        session.Offset = end + 1;
        return true;
    }

    /// <summary>
    /// PUTs a manifest or index under <paramref name="reference"/> (a tag, or its digest) with its media type as
    /// Content-Type (spec.md, "Pushing Manifests": the mediaType field's value when it has one). A Docker-Content-Digest
    /// in the answer must be the content's.
    /// </summary>
    public async Task PutManifestAsync(ImageReference image, string reference, byte[] content, string mediaType, CancellationToken cancellationToken = default)
    {
        var digest = Digest.Sha256(content);
        var context = $"image {image}: manifest {digest}";
        try
        {
            await _pipeline.ExecuteAsync(async ct =>
            {
                using var response = await SendAsync(image, b => new HttpRequestMessage(HttpMethod.Put, new Uri(b, $"/v2/{image.Repository}/manifests/{reference}"))
                {
                    Content = new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
                }, ct, PushScope(image)).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created) throw await UnexpectedAsync(response, context, $"PUT as {reference}", ct).ConfigureAwait(false);
                CheckDigestHeader(response, digest, context);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not CartonException && !IsCallerCancellation(ex, cancellationToken))
        {
            throw Wrap(ex, context);
        }
    }

    private static HttpRequestMessage Post(Uri baseUri, string path) =>
        new(HttpMethod.Post, new Uri(baseUri, path)) { Content = new ByteArrayContent([]) };

    /// <summary>The session URL of a 202 (or a blob's URL of a 201): it may be relative (spec.md, "POST then PUT").</summary>
    private Uri LocationOf(HttpResponseMessage response, string context)
    {
        var location = response.Headers.Location
            ?? throw new CartonException(ErrorKind.InvalidDocument, $"{context}: registry {Registry} answered {(int)response.StatusCode} without a Location header");
        return location.IsAbsoluteUri ? location : new Uri(_baseUri!, location);
    }

    /// <summary>The location with ?digest= added; its own query (a session's state) is kept, as the spec asks.</summary>
    private static Uri WithDigest(Uri location, Digest digest)
    {
        var separator = location.Query.Length > 0 ? "&" : "?";
        return new Uri(location + $"{separator}digest={Uri.EscapeDataString(digest.ToString())}");
    }

    private static long ChunkMinimum(HttpResponseMessage response) =>
        response.Headers.TryGetValues("OCI-Chunk-Min-Length", out var values) && long.TryParse(values.FirstOrDefault(), out var min) && min > 0 ? min : 0;

    /// <summary>END of a "Range: 0-END" header (a session's progress), or null.</summary>
    private static long? RangeEnd(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Range", out var values)) return null;
        var text = values.FirstOrDefault() ?? "";
        int dash = text.LastIndexOf('-');
        return dash >= 0 && long.TryParse(text.AsSpan(dash + 1), out var end) ? end : null;
    }

    private void CheckDigestHeader(HttpResponseMessage response, Digest digest, string context)
    {
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
            && Digest.TryParse(values.FirstOrDefault(), out var said) && said.Algorithm == digest.Algorithm && said != digest)
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: registry {Registry} stored it as {said}", jsonPath: "digest", reason: $"registry digest is {said}");
    }

    /// <summary>A status the step did not expect: the usual error for it, saying which step.</summary>
    private async Task<CartonException> UnexpectedAsync(HttpResponseMessage response, string context, string step, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
            return new CartonException(ErrorKind.InvalidDocument, $"{context}: registry {Registry} answered {step} with {(int)response.StatusCode} {response.ReasonPhrase}");
        return await StatusErrorAsync(response, $"{context}: {step}", ct).ConfigureAwait(false);
    }
}
