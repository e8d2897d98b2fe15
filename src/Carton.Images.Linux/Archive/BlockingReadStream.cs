namespace Carton.Images.Linux.Archive;

/// <summary>
/// The caller's stream for the synchronous tar reader of the layer unpack: bytes already read ahead (to sniff the
/// compression) first, then each synchronous Read is the source's ReadAsync waited for. An HTTP request body
/// (Kestrel) refuses synchronous reads; the extraction runs on a thread-pool thread of its own, so waiting there
/// blocks nothing else. Cancellation is observed on every read.
/// </summary>
internal sealed class BlockingReadStream(Stream source, byte[] head, int headLength, CancellationToken ct) : Stream
{
    private readonly byte[] _chunk = new byte[1 << 16];
    private int _headOffset;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0) return 0;
        if (_headOffset < headLength)
        {
            int n = Math.Min(buffer.Length, headLength - _headOffset);
            head.AsSpan(_headOffset, n).CopyTo(buffer);
            _headOffset += n;
            return n;
        }
        int want = Math.Min(buffer.Length, _chunk.Length);
        int read = source.ReadAsync(_chunk.AsMemory(0, want), ct).AsTask().GetAwaiter().GetResult();
        _chunk.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
