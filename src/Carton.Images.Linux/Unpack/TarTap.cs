using System.Security.Cryptography;

namespace Carton.Images.Linux.Unpack;

/// <summary>
/// The layer stream as TarReader reads it, seen on the way: every byte goes into the DiffID hash, and the 512-byte
/// tar framing is followed (header, data, padding) so that the raw bytes of each PAX extended header ('x') are kept
/// for the entry it precedes (<see cref="PaxRecords"/>: TarReader's own decoding loses binary values). TarReader reads
/// a header, then the PAX data exactly, then the next header; with copyData false it reads an entry's data only when
/// asked, so when it returns entry N this tap has seen exactly N main headers. Not seekable, on purpose: TarReader
/// then reads everything in order.
/// </summary>
internal sealed class TarTap(Stream inner, IncrementalHash hash) : Stream
{
    private const int Block = 512;
    private const long MaxPaxSize = 16 << 20;

    private readonly byte[] _header = new byte[Block];
    private int _headerFill;
    private long _dataLeft, _padLeft;
    private MemoryStream? _capture;
    private byte[]? _pendingPax;
    private long _pendingSize = -1;

    /// <summary>Bytes read from the layer so far.</summary>
    public long Offset { get; private set; }

    /// <summary>Main headers seen (every type except 'x', 'g', 'L', 'K', which TarReader folds into the next entry
    /// or, for 'g', returns as an entry of its own that the unpacker skips).</summary>
    public int MainHeaders { get; private set; }

    /// <summary>The raw PAX data that preceded the last main header, or null.</summary>
    public byte[]? EntryPax { get; private set; }

    /// <summary>The header checksum or a size field did not parse: the tap stopped following (TarReader refuses the
    /// same header with its own error).</summary>
    public bool LostTrack { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n > 0)
        {
            var seen = buffer[..n];
            hash.AppendData(seen);
            if (!LostTrack) Follow(seen);
            Offset += n;
        }
        return n;
    }

    /// <summary>True between entries: no header, data or padding begun (where an archive may end without its two
    /// zero blocks, as Go's archive/tar and GNU tar accept).</summary>
    public bool AtBoundary => !LostTrack && _headerFill == 0 && _dataLeft == 0 && _padLeft == 0;

    /// <summary>Reads the rest of the stream (the padding after the end-of-archive blocks belongs to the DiffID).</summary>
    public void Drain(byte[] buffer)
    {
        while (Read(buffer.AsSpan()) > 0) { }
    }

    private void Follow(ReadOnlySpan<byte> span)
    {
        while (span.Length > 0)
        {
            if (_dataLeft > 0)
            {
                int k = (int)Math.Min(_dataLeft, span.Length);
                _capture?.Write(span[..k]);
                _dataLeft -= k;
                span = span[k..];
                if (_dataLeft == 0) EndOfData();
                continue;
            }
            if (_padLeft > 0)
            {
                int k = (int)Math.Min(_padLeft, span.Length);
                _padLeft -= k;
                span = span[k..];
                continue;
            }
            int take = Math.Min(Block - _headerFill, span.Length);
            span[..take].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += take;
            span = span[take..];
            if (_headerFill == Block)
            {
                _headerFill = 0;
                OnHeader();
                if (LostTrack) return;
            }
        }
    }

    private void OnHeader()
    {
        var h = _header.AsSpan();
        if (!h.ContainsAnyExcept((byte)0)) return; // end-of-archive block
        if (!ChecksumMatches(h) || !TryParseNumber(h.Slice(124, 12), out long size) || size < 0) { LostTrack = true; return; }
        byte type = h[156];
        long data;
        switch (type)
        {
            case (byte)'x':
                if (size > MaxPaxSize) { LostTrack = true; return; }
                _capture = new MemoryStream((int)size);
                data = size;
                break;
            case (byte)'g' or (byte)'L' or (byte)'K':
                data = size;
                break;
            default:
                MainHeaders++;
                EntryPax = _pendingPax;
                data = _pendingSize >= 0 ? _pendingSize : size;
                _pendingPax = null;
                _pendingSize = -1;
                // Links, devices, directories and FIFOs have no data (TarReader refuses a size on them).
                if (type is >= (byte)'1' and <= (byte)'6') data = 0;
                break;
        }
        _dataLeft = data;
        _padLeft = (Block - data % Block) % Block;
        if (data == 0) EndOfData();
    }

    private void EndOfData()
    {
        if (_capture is null) return;
        _pendingPax = _capture.ToArray();
        _pendingSize = PaxRecords.Size(_pendingPax);
        _capture = null;
    }

    /// <summary>The header's sum with the checksum field counted as spaces (POSIX ustar; what TarReader checks).</summary>
    private static bool ChecksumMatches(ReadOnlySpan<byte> h)
    {
        if (!TryParseNumber(h.Slice(148, 8), out long stored)) return false;
        long sum = 0;
        for (int i = 0; i < Block; i++) sum += i is >= 148 and < 156 ? (byte)' ' : h[i];
        return sum == stored;
    }

    /// <summary>An octal field (NUL- or space-terminated) or GNU's base-256 form (high bit of the first byte set).</summary>
    private static bool TryParseNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0) return false; // negative
            value = field[0] & 0x3f;
            for (int i = 1; i < field.Length; i++)
            {
                if (value > (long.MaxValue >> 8)) return false;
                value = (value << 8) | field[i];
            }
            return true;
        }
        int j = 0;
        while (j < field.Length && field[j] == (byte)' ') j++;
        for (; j < field.Length && field[j] is >= (byte)'0' and <= (byte)'7'; j++)
        {
            if (value > (long.MaxValue >> 3)) return false;
            value = (value << 3) | (uint)(field[j] - '0');
        }
        for (; j < field.Length; j++) if (field[j] is not (0 or (byte)' ')) return false;
        return true;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Offset; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
