using System.IO.Pipes;
using System.Net.Sockets;

namespace Carton.Client;

/// <summary>
/// Where `carton serve` listens: a Unix socket (Linux: /run/carton/carton.sock) or a named pipe (Windows:
/// \\.\pipe\carton). Written as a socket path (optionally unix://PATH) or as a pipe: \\.\pipe\NAME, //./pipe/NAME or
/// Docker's npipe:////./pipe/NAME. Only pipes on the local machine ("."): the daemon's pipe is for this host's
/// administrators, and a remote pipe would authenticate over SMB.
/// </summary>
public sealed class DaemonAddress
{
    /// <summary>How long a pipe connect waits for the pipe to exist and have a free instance: a pipe that does not exist
    /// is not an error at once on Windows (the client polls), so a daemon that is not running is reported after this.</summary>
    public static readonly TimeSpan PipeConnectTimeout = TimeSpan.FromSeconds(5);

    private DaemonAddress(string text, string? socketPath, string? pipeName)
    {
        Text = text;
        SocketPath = socketPath;
        PipeName = pipeName;
    }

    /// <summary>The address as given.</summary>
    public string Text { get; }
    /// <summary>The Unix socket's path; null for a pipe.</summary>
    public string? SocketPath { get; }
    /// <summary>The pipe's name (carton for \\.\pipe\carton); null for a socket.</summary>
    public string? PipeName { get; }

    /// <summary>The daemon's address on this OS: \\.\pipe\carton on Windows, /run/carton/carton.sock elsewhere.</summary>
    public static string Default => OperatingSystem.IsWindows() ? @"\\.\pipe\carton" : ComputeClient.DefaultSocketPath;

    /// <summary>Parses an address.</summary>
    /// <exception cref="ArgumentException">empty, a remote pipe, or a pipe without a name</exception>
    public static DaemonAddress Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Length == 0) throw new ArgumentException("the daemon's address is empty", nameof(address));
        var text = address;
        if (address.StartsWith("npipe://", StringComparison.OrdinalIgnoreCase)) address = address["npipe:".Length..];
        else if (address.StartsWith("unix://", StringComparison.OrdinalIgnoreCase)) return new DaemonAddress(text, address["unix://".Length..], null);
        var slashes = address.Replace('\\', '/');
        // //./pipe/NAME (and ////./pipe/NAME, what npipe:// leaves)
        var trimmed = slashes.TrimStart('/');
        if (slashes.StartsWith("//", StringComparison.Ordinal) && trimmed.IndexOf('/') is > 0 and var hostEnd
            && trimmed.AsSpan(hostEnd + 1).StartsWith("pipe/", StringComparison.OrdinalIgnoreCase))
        {
            var host = trimmed[..hostEnd];
            if (host != ".") throw new ArgumentException($"{text}: only pipes on this machine (\\\\.\\pipe\\NAME), not on \"{host}\"", nameof(address));
            var name = trimmed[(hostEnd + 1 + "pipe/".Length)..];
            if (name.Length == 0) throw new ArgumentException($"{text}: the pipe has no name", nameof(address));
            return new DaemonAddress(text, null, name);
        }
        return new DaemonAddress(text, address, null);
    }

    /// <summary>Opens one connection to the daemon.</summary>
    public async ValueTask<Stream> ConnectAsync(CancellationToken ct)
    {
        if (PipeName is { } name)
        {
            var pipe = new NamedPipeClientStream(".", name, PipeDirection.InOut, PipeOptions.Asynchronous);
            try
            {
                await pipe.ConnectAsync(PipeConnectTimeout, ct).ConfigureAwait(false);
                return pipe;
            }
            catch
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath!), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Why a connect failed, in words for the "Unavailable" error; null when <paramref name="e"/> is not a
    /// connect failure this class knows.</summary>
    internal string? DescribeConnectFailure(Exception e) => e switch
    {
        SocketException s => s.SocketErrorCode switch
        {
            SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported when !File.Exists(SocketPath) => "no such socket (is carton serve running?)",
            SocketError.ConnectionRefused => "connection refused (is carton serve running?)",
            SocketError.AccessDenied => "permission denied (the socket is root's)",
            _ => s.Message,
        },
        TimeoutException => $"no such pipe, or none free, after {PipeConnectTimeout.TotalSeconds:0} s (is carton serve running?)",
        UnauthorizedAccessException => "access denied (the pipe is for Administrators)",
        IOException io when PipeName is not null => io.Message,
        _ => null,
    };

    /// <inheritdoc/>
    public override string ToString() => Text;
}
