using System.Net;
using System.Net.Sockets;

namespace Carton.Network.Linux;

/// <summary>
/// Host ports held for published endpoints. The portmap plugin only writes NAT rules: it never binds, so a port a
/// host process listens on would be silently stolen by the DNAT. Carton binds each published port (without
/// listening) for as long as the endpoint lives, as podman does: a port already taken fails the bind (EADDRINUSE),
/// and nothing else can take it later. Traffic never reaches these sockets: it is rewritten before routing.
/// An ephemeral port (host port 0) is the one the kernel gives the bind.
/// </summary>
internal sealed class PortReservations : IDisposable
{
    private readonly Dictionary<string, List<Socket>> _held = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Binds every mapping for <paramref name="owner"/>; returns them with the host ports taken. All or nothing.</summary>
    public List<PortMapping> Reserve(string owner, string network, IReadOnlyList<PortMapping> ports)
    {
        var sockets = new List<Socket>();
        var result = new List<PortMapping>();
        try
        {
            foreach (var p in ports)
            {
                var ip = string.IsNullOrEmpty(p.HostIp) ? IPAddress.Any : IPAddress.Parse(p.HostIp);
                var s = p.Protocol == "udp"
                    ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
                    : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(s);
                try
                {
                    s.ExclusiveAddressUse = true;
                    s.Bind(new IPEndPoint(ip, p.HostPort));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    throw new CartonException(ErrorKind.AlreadyExists,
                        $"network \"{network}\": publish {p}: host port {ip}:{p.HostPort}/{p.Protocol} is already in use (EADDRINUSE)", errno: 98);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
                {
                    throw new CartonException(ErrorKind.InvalidDocument,
                        $"network \"{network}\": publish {p}: {ip} is not an address of this host (EADDRNOTAVAIL)", errno: 99);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
                {
                    throw new CartonException(ErrorKind.PermissionDenied, $"network \"{network}\": publish {p}: bind {ip}:{p.HostPort}: permission denied (EACCES)", errno: 13);
                }
                var port = ((IPEndPoint)s.LocalEndPoint!).Port;
                result.Add(new PortMapping { HostIp = p.HostIp, HostPort = port, ContainerPort = p.ContainerPort, Protocol = p.Protocol });
            }
            lock (_lock)
            {
                if (_held.Remove(owner, out var old)) foreach (var s in old) s.Dispose();
                _held[owner] = sockets;
            }
            return result;
        }
        catch
        {
            foreach (var s in sockets) s.Dispose();
            throw;
        }
    }

    /// <summary>Releases <paramref name="owner"/>'s ports.</summary>
    public void Release(string owner)
    {
        lock (_lock)
        {
            if (_held.Remove(owner, out var sockets)) foreach (var s in sockets) s.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var list in _held.Values) foreach (var s in list) s.Dispose();
            _held.Clear();
        }
    }
}
