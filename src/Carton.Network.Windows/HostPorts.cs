using System.Net;
using System.Net.Sockets;

namespace Carton.Network.Windows;

/// <summary>
/// Host ports for PortMapping policies. WinNAT's static mappings are not sockets: a port a host process listens on
/// would be taken over silently for the mapped protocol, and a port of 0 means nothing to HNS. So each port is bound
/// for a moment (exclusively, without listening): a port in use fails the bind (AlreadyExists, naming it), and port 0
/// becomes the one the system hands out. The socket is closed at once; from then on WinNAT owns the port, and a
/// second mapping of it is refused by HNS (HCN_E_PORT_ALREADY_EXISTS) and by Carton's own records.
/// </summary>
internal static class HostPorts
{
    /// <summary>The mapping with its host port checked free (or picked, for 0).</summary>
    public static PortMapping Claim(string network, PortMapping p)
    {
        var ip = string.IsNullOrEmpty(p.HostIp) ? IPAddress.Any : IPAddress.Parse(p.HostIp);
        using var s = p.Protocol == "udp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.ExclusiveAddressUse = true;
            s.Bind(new IPEndPoint(ip, p.HostPort));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new CartonException(ErrorKind.AlreadyExists, $"network \"{network}\": publish {p}: host port {ip}:{p.HostPort}/{p.Protocol} is already in use");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"network \"{network}\": publish {p}: {ip} is not an address of this host");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new CartonException(ErrorKind.PermissionDenied, $"network \"{network}\": publish {p}: binding {ip}:{p.HostPort} was refused (access denied)");
        }
        var port = ((IPEndPoint)s.LocalEndPoint!).Port;
        return new PortMapping { HostIp = p.HostIp, HostPort = port, ContainerPort = p.ContainerPort, Protocol = p.Protocol };
    }
}
