using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Carton.Docker;

/// <summary>
/// The Docker socket's Kestrel transport. Docker's hijacked streams (attach, exec start) need what Kestrel's own
/// socket transport does not give: the request's connection as raw bytes both ways, and half-close (the CLIs shut
/// their sending side down at the end of stdin, or at once when stdin is not attached, and read the output on; on
/// a FIN Kestrel ends the whole connection). So this transport accepts the connections itself, peeks at each one's
/// request line, serves a hijack route on the socket directly (<see cref="HijackedStreams"/>), and hands every other
/// connection to Kestrel untouched (SocketConnectionContextFactory, Kestrel's own socket connection). The CLIs and
/// Docker.DotNet dial a new connection for each hijacked request, so the first request line decides.
/// </summary>
internal sealed class DockerTransport(DockerServices services) : IConnectionListenerFactory
{
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is UnixDomainSocketEndPoint unix && unix.ToString() is { Length: > 0 } path && File.Exists(path)) File.Delete(path);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return ValueTask.FromResult<IConnectionListener>(new Listener(socket, services));
    }

    private sealed class Listener : IConnectionListener
    {
        /// <summary>How long a connection may take to send its request line before it goes to Kestrel anyway (which
        /// then applies its own header timeout).</summary>
        private static readonly TimeSpan FirstLineTimeout = TimeSpan.FromSeconds(10);

        private readonly Socket _socket;
        private readonly DockerServices _services;
        private readonly SocketConnectionContextFactory _factory = new(new SocketConnectionFactoryOptions(), NullLogger.Instance);
        private readonly Channel<Socket> _forKestrel = Channel.CreateUnbounded<Socket>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _acceptLoop;

        public Listener(Socket socket, DockerServices services)
        {
            _socket = socket;
            _services = services;
            EndPoint = socket.LocalEndPoint!;
            _acceptLoop = Task.Run(AcceptLoopAsync);
        }

        public EndPoint EndPoint { get; }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try { client = await _socket.AcceptAsync(_stop.Token); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException) { break; }
                _ = Task.Run(() => ClassifyAsync(client));
            }
            _forKestrel.Writer.TryComplete();
        }

        /// <summary>Peeks (MSG_PEEK: nothing is consumed) until the request line is in, then decides.</summary>
        private async Task ClassifyAsync(Socket client)
        {
            var buffer = new byte[8 * 1024];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(FirstLineTimeout);
            int n = 0;
            try
            {
                while (true)
                {
                    await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, timeout.Token); // waits until readable
                    n = client.Receive(buffer, SocketFlags.Peek);
                    if (n == 0 || Array.IndexOf(buffer, (byte)'\n', 0, n) >= 0 || n == buffer.Length) break;
                    await Task.Delay(1, timeout.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
            int eol = Array.IndexOf(buffer, (byte)'\n', 0, Math.Max(n, 0));
            if (eol > 0 && HijackedStreams.IsHijackLine(Encoding.ASCII.GetString(buffer, 0, eol)))
            {
                await HijackedStreams.ServeAsync(_services, client);
                return;
            }
            if (!_forKestrel.Writer.TryWrite(client)) client.Dispose();
        }

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                var socket = await _forKestrel.Reader.ReadAsync(cancellationToken);
                return _factory.Create(socket);
            }
            catch (ChannelClosedException) { return null; }
        }

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            try { await _acceptLoop; } catch (Exception) { }
        }

        public async ValueTask DisposeAsync()
        {
            await UnbindAsync();
            _factory.Dispose();
            _stop.Dispose();
        }
    }
}
