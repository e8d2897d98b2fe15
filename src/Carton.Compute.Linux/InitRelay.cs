using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.ProcessSetup;

namespace Carton.Compute.Linux;

/// <summary>
/// The init's stdio as its monitor holds it when a document gives <see cref="InitIo"/> (conmon's job in podman, the
/// shim's in containerd): the output pipes (or the pty master) are read by one thread each, every line is appended
/// to the log in Docker's json-file format (rotated by size: <see cref="RotatingLogFile"/>; or no log at all) and sent to every attached client, and attached clients write the init's
/// stdin and resize its pty through the attach socket (<see cref="InitAttach"/> is the protocol). It runs inside
/// carton-monitor, so the log and the attach outlive the daemon that created the system.
/// </summary>
internal sealed class InitRelay : IDisposable
{
    /// <summary>A line longer than this is logged in pieces (Docker's json-file does the same at 16 KiB).</summary>
    private const int MaxLogLine = 16 * 1024;
    /// <summary>A client that takes no output for this long is detached rather than allowed to stall the init.</summary>
    private const int ClientSendTimeoutMs = 10_000;
    /// <summary>How long output is still read after the init exits (descendants outside a pid namespace may hold a
    /// pipe open forever).</summary>
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(2);

    private readonly int _out, _err, _in;
    private readonly bool _terminal, _stdinOnce;
    /// <summary>The log; null: none is kept (Docker's `none` driver), output only goes to attached clients.</summary>
    private readonly RotatingLogFile? _log;
    private readonly object _logLock = new();
    private readonly Socket _listener;
    private readonly string _socketPath;
    private readonly List<Socket> _clients = [];
    private readonly List<Thread> _pumps = [];
    private readonly CancellationTokenSource _stop = new();
    private DateTime _drainDeadline = DateTime.MaxValue;
    private int _stdinClosed;

    /// <summary>The fds the init gets (for <see cref="Carton.Runtime.CreateOptions"/>): pipe ends, or -1 with a terminal.</summary>
    public int ChildStdin { get; private set; } = -1;
    /// <summary>The init's stdout (a pipe's write end), or -1.</summary>
    public int ChildStdout { get; private set; } = -1;
    /// <summary>The init's stderr (a pipe's write end), or -1.</summary>
    public int ChildStderr { get; private set; } = -1;

    /// <summary>With a terminal: the socket end the runtime sends the pty master over (CreateOptions.ConsoleSocketFd).</summary>
    public int ConsoleSocketChild { get; private set; } = -1;

    private int _consoleSocket = -1, _master = -1;

    private InitRelay(InitIoRequest io, int stdinWrite, int stdoutRead, int stderrRead)
    {
        _terminal = io.Terminal;
        _stdinOnce = io.StdinOnce;
        _in = stdinWrite;
        _out = stdoutRead;
        _err = stderrRead;
        if (io.LogPath.Length > 0) _log = new RotatingLogFile(io.LogPath, io.LogMaxSize, io.LogMaxFiles);
        _socketPath = io.AttachSocket;
        _listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
    }

    /// <summary>Makes the pipes (or the console socket pair) and opens the log; the listener is bound by <see cref="Listen"/>.</summary>
    public static InitRelay Create(InitIoRequest io)
    {
        if (io.Terminal)
        {
            var relay = new InitRelay(io, -1, -1, -1);
            (relay._consoleSocket, relay.ConsoleSocketChild) = SocketPair.Create("socketpair for the init's console");
            return relay;
        }
        int stdinRead = -1, stdinWrite = -1;
        if (io.Stdin) (stdinRead, stdinWrite) = Pipe.Create("pipe for the init's stdin");
        var (outRead, outWrite) = Pipe.Create("pipe for the init's stdout");
        var (errRead, errWrite) = Pipe.Create("pipe for the init's stderr");
        var r = new InitRelay(io, stdinWrite, outRead, errRead)
        {
            ChildStdin = stdinRead, ChildStdout = outWrite, ChildStderr = errWrite,
        };
        return r;
    }

    /// <summary>After the init is created: closes the init's ends here, receives the pty master (terminal), binds the
    /// attach socket and starts relaying. Output produced before this is still in the pipes, not lost.</summary>
    public void Listen(ushort[]? consoleSize)
    {
        foreach (var fd in new[] { ChildStdin, ChildStdout, ChildStderr, ConsoleSocketChild }) FileDescriptor.Close(fd);
        ChildStdin = ChildStdout = ChildStderr = ConsoleSocketChild = -1;
        if (_terminal)
        {
            _master = FdPassing.Receive(_consoleSocket, out _);
            FileDescriptor.Close(_consoleSocket);
            _consoleSocket = -1;
            if (_master < 0) throw new InvalidOperationException("the init sent no pty master");
            if (consoleSize is [var rows, var cols]) Pty.SetSize(_master, rows, cols);
        }
        try { File.Delete(_socketPath); } catch (IOException) { }
        // sun_path holds 107 bytes and state roots can be deep: bind relative to the socket's directory (the monitor
        // is alone in its process and its cwd is otherwise "/")
        var cwd = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(Path.GetDirectoryName(_socketPath)!);
        try { _listener.Bind(new UnixDomainSocketEndPoint(Path.GetFileName(_socketPath))); }
        finally { Directory.SetCurrentDirectory(cwd); }
        _listener.Listen(16);
        if (_terminal) StartPump(_master, InitAttach.StdoutFrame);
        else
        {
            StartPump(_out, InitAttach.StdoutFrame);
            StartPump(_err, InitAttach.StderrFrame);
        }
        _ = AcceptLoopAsync();
    }

    private void StartPump(int fd, byte kind)
    {
        var t = new Thread(() => Pump(fd, kind)) { IsBackground = true, Name = kind == InitAttach.StdoutFrame ? "relay stdout" : "relay stderr" };
        _pumps.Add(t);
        t.Start();
    }

    /// <summary>Reads one output fd until EOF (or EIO: a pty whose slave is closed), or until the drain deadline.</summary>
    private void Pump(int fd, byte kind)
    {
        var buffer = new byte[InitAttach.MaxPayload + 1];
        var line = new MemoryStream();
        var stream = kind == InitAttach.StdoutFrame ? "stdout" : "stderr";
        while (DateTime.UtcNow < _drainDeadline)
        {
            if (!FileDescriptor.WaitReadable(fd, 200)) continue;
            int n = FileDescriptor.Read(fd, buffer.AsSpan(1));
            if (n == -Errno.EINTR || n == -Errno.EAGAIN) continue;
            if (n <= 0) break;
            var data = buffer.AsSpan(1, n);
            Log(stream, line, data);
            buffer[0] = kind;
            Broadcast(buffer.AsSpan(0, n + 1));
        }
        if (line.Length > 0) WriteEntry(stream, line.GetBuffer().AsSpan(0, (int)line.Length));
    }

    /// <summary>Appends whole lines to the log; a partial line waits in <paramref name="line"/> for its end.</summary>
    private void Log(string stream, MemoryStream line, ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            int nl = data.IndexOf((byte)'\n');
            int take = nl >= 0 ? nl + 1 : data.Length;
            take = Math.Min(take, MaxLogLine - (int)line.Length);
            line.Write(data[..take]);
            data = data[take..];
            if (line.Length >= MaxLogLine || line.GetBuffer()[line.Length - 1] == (byte)'\n')
            {
                WriteEntry(stream, line.GetBuffer().AsSpan(0, (int)line.Length));
                line.SetLength(0);
            }
        }
    }

    private void WriteEntry(string stream, ReadOnlySpan<byte> text)
    {
        if (_log is null) return;
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("log", Encoding.UTF8.GetString(text));
            w.WriteString("stream", stream);
            w.WriteString("time", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        lock (_logLock) _log.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private void Broadcast(ReadOnlySpan<byte> frame)
    {
        lock (_clients)
        {
            for (int i = _clients.Count - 1; i >= 0; i--)
            {
                try { _clients[i].Send(frame); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    _clients[i].Dispose();
                    _clients.RemoveAt(i);
                }
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException) { return; }
            client.SendTimeout = ClientSendTimeoutMs;
            lock (_clients)
            {
                // under the lock that output takes too: the ready frame comes before any output frame
                try { client.Send([InitAttach.ReadyFrame]); }
                catch (SocketException) { client.Dispose(); continue; }
                _clients.Add(client);
            }
            _ = InputLoopAsync(client);
        }
    }

    /// <summary>What one client sends: stdin data, stdin's close, pty sizes.</summary>
    private async Task InputLoopAsync(Socket client)
    {
        var buffer = new byte[InitAttach.MaxPayload + 1];
        bool wroteStdin = false;
        try
        {
            while (true)
            {
                int n = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0) break;
                switch (buffer[0])
                {
                    case InitAttach.StdinFrame when n > 1:
                        wroteStdin = true;
                        WriteStdin(buffer.AsSpan(1, n - 1));
                        break;
                    case InitAttach.CloseStdinFrame:
                        wroteStdin = true;
                        CloseStdin();
                        break;
                    case InitAttach.ResizeFrame when n >= 5 && _master >= 0:
                        try { Pty.SetSize(_master, BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(1)), BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(3))); }
                        catch (SyscallException) { }
                        break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException) { }
        finally
        {
            lock (_clients) _clients.Remove(client);
            client.Dispose();
            if (wroteStdin && _stdinOnce) CloseStdin();
        }
    }

    private void WriteStdin(ReadOnlySpan<byte> data)
    {
        int fd = _terminal ? _master : _in;
        if (fd < 0 || Volatile.Read(ref _stdinClosed) != 0) return;
        while (data.Length > 0)
        {
            int n = FileDescriptor.Write(fd, data);
            if (n == -Errno.EINTR) continue;
            if (n <= 0) return; // the init closed its stdin (EPIPE): input is dropped, as a pipe would
            data = data[n..];
        }
    }

    private void CloseStdin()
    {
        // a pty has no end-of-input but the one its line discipline makes of ^D; the pipe is closed
        if (_terminal || Interlocked.Exchange(ref _stdinClosed, 1) != 0) return;
        FileDescriptor.Close(_in);
    }

    /// <summary>After the init exits: reads what is left (for at most <see cref="DrainAfterExit"/>), so the log is
    /// complete before the exit status is written.</summary>
    public void Drain()
    {
        _drainDeadline = DateTime.UtcNow + DrainAfterExit;
        foreach (var t in _pumps) t.Join();
        lock (_logLock) _log?.Flush();
    }

    /// <summary>Detaches every client (they read end of stream), removes the socket, closes everything.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Dispose(); } catch (SocketException) { }
        lock (_clients)
        {
            foreach (var c in _clients)
            {
                try { c.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
                c.Dispose();
            }
            _clients.Clear();
        }
        try { File.Delete(_socketPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        foreach (var fd in new[] { ChildStdin, ChildStdout, ChildStderr, ConsoleSocketChild, _consoleSocket, _out, _err, _master })
            FileDescriptor.Close(fd);
        if (!_terminal && Interlocked.Exchange(ref _stdinClosed, 1) == 0) FileDescriptor.Close(_in);
        lock (_logLock) _log?.Dispose();
    }
}
