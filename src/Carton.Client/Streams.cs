using System.IO.Pipelines;
using System.Net.Http.Headers;

namespace Carton.Client;

/// <summary>
/// A write-only stream whose bytes become the body of a streamed (chunked) POST, sent when first written (or when
/// disposed unwritten, to deliver EOF). Disposing ends the body. Once the request has ended (the process closed
/// its stdin, the daemon went away), writes fail with <see cref="IOException"/>.
/// </summary>
internal sealed class RequestBodyStream(ComputeClient client, string path) : Stream
{
    private readonly Pipe _pipe = new();
    private readonly Lock _gate = new();
    private Task? _send;
    private bool _disposed;

    private void EnsureStarted()
    {
        lock (_gate)
        {
            if (_send is not null) return;
            var content = new PipeContent(_pipe.Reader);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            _send = Task.Run(async () =>
            {
                try
                {
                    using var _ = await client.SendAsync(HttpMethod.Post, path, content, CancellationToken.None).ConfigureAwait(false);
                    await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    await _pipe.Reader.CompleteAsync(e).ConfigureAwait(false);
                }
            });
        }
    }

    /// <summary>Completes when the daemon has copied the whole body (and closed the target).</summary>
    public Task Completion => _send ?? Task.CompletedTask;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureStarted();
        FlushResult result;
        try
        {
            result = await _pipe.Writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new IOException($"POST /{path}: the stream is closed", e);
        }
        if (result.IsCompleted) throw new IOException($"POST /{path}: the stream is closed");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            EnsureStarted();
            _pipe.Writer.Complete();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Reads from one stream and writes to another (a console: the pty output and the pty input).</summary>
internal sealed class DuplexStream(Stream read, Stream write) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => write.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => write.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => read.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => read.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => write.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => write.WriteAsync(buffer, offset, count, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            write.Dispose();
            read.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>A chunked request body read from a pipe, each chunk flushed to the daemon as soon as it is written.</summary>
internal sealed class PipeContent(PipeReader reader) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var segment in result.Buffer)
                await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled) break;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
