using System.Buffers;
using System.Collections.Concurrent;

namespace UnpackTool;

/// <summary>
/// An experiment, not Carton's code: reads <c>inner</c> (the decompressing stream) on a thread of its own into a few
/// pooled 1 MiB buffers, so that decompression overlaps the unpack that reads this stream (as `tar -xzf` overlaps its
/// gzip child). `unpack-tool unpack --readahead` times LayerUnpacker over it.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private const int BufferSize = 1 << 20;
    private readonly Stream _inner;
    private readonly BlockingCollection<(byte[] Buffer, int Count)> _full = new(boundedCapacity: 4);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _reader;
    private Exception? _error;
    private byte[]? _current;
    private int _offset, _count;
    private bool _done;

    public ReadAheadStream(Stream inner)
    {
        _inner = inner;
        _reader = new Thread(Fill) { IsBackground = true, Name = "read-ahead" };
        _reader.Start();
    }

    private void Fill()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                int n = 0;
                while (n < BufferSize)
                {
                    int k = _inner.Read(buffer, n, BufferSize - n);
                    if (k == 0) break;
                    n += k;
                }
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                _full.Add((buffer, n), _stop.Token);
                if (n < BufferSize) break;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception ex) { _error = ex; }
        finally { _full.CompleteAdding(); }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0) return 0;
        while (_current is null || _offset == _count)
        {
            if (_current is not null) ArrayPool<byte>.Shared.Return(_current);
            _current = null;
            if (_done) return 0;
            if (!_full.TryTake(out var next, Timeout.Infinite))
            {
                _done = true;
                if (_error is not null) throw new IOException(_error.Message, _error);
                return 0;
            }
            (_current, _offset, _count) = (next.Buffer, 0, next.Count);
        }
        int n = Math.Min(buffer.Length, _count - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            while (_full.TryTake(out var b)) ArrayPool<byte>.Shared.Return(b.Buffer);
            _reader.Join();
            _inner.Dispose();
            _stop.Dispose();
            _full.Dispose();
        }
        base.Dispose(disposing);
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
