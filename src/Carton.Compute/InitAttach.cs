using System.Buffers.Binary;
using System.Net.Sockets;

namespace Carton.Compute;

/// <summary>
/// A connection to a system's init stdio (<see cref="ComputeSystemProperties.InitAttachSocket"/>), held by its monitor
/// when the document gave <see cref="ComputeSystemDocument.InitIo"/>. The socket is SOCK_SEQPACKET, so each message
/// keeps its bounds: the first byte says what it is (<see cref="StdoutFrame"/>, <see cref="StderrFrame"/> from the
/// monitor; <see cref="StdinFrame"/>, <see cref="CloseStdinFrame"/>, <see cref="ResizeFrame"/> to it), the rest is the
/// payload. An attached client receives the output produced from the moment it connects (earlier output is in the
/// log); the monitor closes the connection once the init has exited and its output is drained.
/// </summary>
public sealed class InitAttach : IDisposable
{
    /// <summary>Input for the init's stdin (client → monitor).</summary>
    public const byte StdinFrame = 0;
    /// <summary>Output on the init's stdout, or on its pty (monitor → client).</summary>
    public const byte StdoutFrame = 1;
    /// <summary>Output on the init's stderr (monitor → client).</summary>
    public const byte StderrFrame = 2;
    /// <summary>Close the init's stdin (client → monitor; EOF for the init).</summary>
    public const byte CloseStdinFrame = 3;
    /// <summary>Resize the pty: rows and columns, two little-endian u16 (client → monitor).</summary>
    public const byte ResizeFrame = 4;
    /// <summary>The monitor's first frame to a new client: it is registered, and receives all output from now on.</summary>
    public const byte ReadyFrame = 5;
    /// <summary>The largest payload of one frame.</summary>
    public const int MaxPayload = 32 * 1024;

    /// <summary>The longest socket path connect(2) takes (sun_path is 108 bytes with its NUL).</summary>
    private const int MaxSocketPath = 107;

    private readonly Socket _socket;

    private InitAttach(Socket socket) => _socket = socket;

    /// <summary>Connects to the attach socket at <paramref name="socketPath"/>.</summary>
    /// <exception cref="ComputeException">code "NotFound" when nothing listens there (the init has exited, or the
    /// system has no InitIo); "Failed" for other socket errors</exception>
    public static async Task<InitAttach> ConnectAsync(string socketPath, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        string? link = null;
        try
        {
            var path = socketPath;
            if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxSocketPath)
            {
                // sun_path is short and state roots can be deep: reach the socket's directory through a short
                // symbolic link of our own (created atomically under a random name, removed right after connect)
                link = Path.Combine(Path.GetTempPath(), "carton-attach-" + Guid.NewGuid().ToString("N")[..16]);
                File.CreateSymbolicLink(link, Path.GetDirectoryName(socketPath)!);
                path = Path.Combine(link, Path.GetFileName(socketPath));
            }
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            // connect returns once the kernel queued us, before the monitor took us in: only its ready frame says
            // that output from now on reaches us (a `docker run` starts the container right after attaching)
            var first = new byte[MaxPayload + 1];
            int n = await socket.ReceiveAsync(first, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n < 1 || first[0] != ReadyFrame)
                throw new ComputeException("NotFound", $"nothing to attach to at {socketPath}: the init has exited");
            return new InitAttach(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            if (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused or SocketError.AddressFamilyNotSupported)
                throw new ComputeException("NotFound", $"nothing to attach to at {socketPath}: the init is not running");
            throw new ComputeException("Failed", $"attach to {socketPath}: {e.Message}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            if (link is not null) try { File.Delete(link); } catch (IOException) { }
        }
    }

    /// <summary>Receives the next output frame into <paramref name="buffer"/> (at least <see cref="MaxPayload"/>+1
    /// bytes): its kind (<see cref="StdoutFrame"/> or <see cref="StderrFrame"/>) and payload length at offset 1;
    /// (0, 0) once the monitor has closed the connection.</summary>
    public async ValueTask<(byte Kind, int Length)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            int n;
            try { n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false); }
            catch (SocketException) { return (0, 0); }
            if (n == 0) return (0, 0);
            if (n == 1) continue; // an empty frame carries nothing
            return (buffer.Span[0], n - 1);
        }
    }

    /// <summary>Writes <paramref name="data"/> to the init's stdin (in frames of at most <see cref="MaxPayload"/>).</summary>
    public async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var frame = new byte[Math.Min(data.Length, MaxPayload) + 1];
        frame[0] = StdinFrame;
        while (data.Length > 0)
        {
            int n = Math.Min(data.Length, MaxPayload);
            data[..n].CopyTo(frame.AsMemory(1));
            await SendAsync(frame.AsMemory(0, n + 1), cancellationToken).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>Closes the init's stdin: it reads EOF.</summary>
    public ValueTask CloseStdinAsync(CancellationToken cancellationToken = default) => SendAsync(new[] { CloseStdinFrame }, cancellationToken);

    /// <summary>Sets the init's pty size (nothing when it has no pty).</summary>
    public ValueTask ResizeAsync(ushort rows, ushort columns, CancellationToken cancellationToken = default)
    {
        var frame = new byte[5];
        frame[0] = ResizeFrame;
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(1), rows);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(3), columns);
        return SendAsync(frame, cancellationToken);
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        try { await _socket.SendAsync(frame, SocketFlags.None, cancellationToken).ConfigureAwait(false); }
        catch (SocketException e) { throw new ComputeException("Failed", $"the init's stdio is gone: {e.Message}"); }
    }

    /// <summary>Detaches (the init keeps running).</summary>
    public void Dispose() => _socket.Dispose();
}
