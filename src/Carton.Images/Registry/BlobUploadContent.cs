using System.Net;
using System.Net.Http.Headers;

namespace Carton.Images.Registry;

/// <summary>
/// A request body that is a byte range of a stored blob, read from its file as the request is sent (never buffered
/// whole: a layer may be gigabytes). <see cref="Sent"/> fires after every buffer written, so the caller can show
/// progress and treat the bytes as activity (a large PUT gets its response only after the whole body).
/// </summary>
internal sealed class BlobUploadContent : HttpContent
{
    private readonly string _path;
    private readonly long _offset;
    private readonly long _length;

    public BlobUploadContent(string path, long offset, long length)
    {
        _path = path;
        _offset = offset;
        _length = length;
        // distribution-spec spec.md, "Pushing a blob monolithically" and "in chunks": the body is application/octet-stream.
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    }

    /// <summary>The bytes of this body written so far, after each write.</summary>
    public event Action<long>? Sent;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        file.Position = _offset;
        var buffer = new byte[1 << 16];
        long sent = 0;
        while (sent < _length)
        {
            int n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, _length - sent)), cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new IOException($"{_path} ended at byte {_offset + sent}, before the {_offset + _length} the upload needs");
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            sent += n;
            Sent?.Invoke(sent);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
