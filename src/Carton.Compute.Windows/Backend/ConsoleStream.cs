namespace Carton.Compute.Windows;

/// <summary>A Windows console process's two pipes as the one duplex stream the contract's
/// <see cref="Carton.Compute.IComputeProcess.Console"/> is (on Linux, a pty master): reads come from the process's
/// output, writes go to its input.</summary>
internal sealed class ConsoleStream(Stream output, Stream input) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => output.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => output.ReadAsync(buffer, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => input.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => input.WriteAsync(buffer, cancellationToken);
    public override void Flush() => input.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => input.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Dispose();
            output.Dispose();
        }
        base.Dispose(disposing);
    }
}
