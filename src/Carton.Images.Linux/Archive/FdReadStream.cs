using Carton.Linux.Interop;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Archive;

/// <summary>
/// A regular file's content for a tar entry, read from an fd and held to the size its header was written with: a
/// file that grows while it is read is cut there, one that shrinks is padded with zeros, so the archive stays
/// well-formed whatever the container does to the file meanwhile. Seekable only in name (TarWriter asks for
/// Length and Position to size the entry). Does not own the fd.
/// </summary>
internal sealed class FdReadStream(int fd, long length, string what) : Stream
{
    private long _position;
    private bool _eof;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long left = length - _position;
        if (left <= 0 || buffer.Length == 0) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        int n;
        if (_eof) n = 0;
        else
        {
            while (true)
            {
                n = FileDescriptor.Read(fd, buffer);
                if (n != -Errno.EINTR) break;
            }
            if (n < 0) throw new CartonException(ErrorTable.KindOfErrno(-n), $"read {what} in the container: {Errno.Describe(-n)}", errno: -n);
            if (n == 0) _eof = true;
        }
        if (n == 0)
        {
            // The file shrank under us: zeros up to the size in the header.
            buffer.Clear();
            n = buffer.Length;
        }
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
