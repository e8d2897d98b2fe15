using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Carton.Network;

/// <summary>docker's and podman's --publish forms: <c>[[HOSTIP:]HOSTPORT:]PORT[/tcp|/udp]</c>, where an empty
/// HOSTPORT (<c>127.0.0.1::80</c>) or a bare <c>PORT</c> asks for an ephemeral host port.</summary>
public static class PortMappingParser
{
    /// <summary>Parses one --publish value; the error names the value and what is wrong.</summary>
    public static PortMapping Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var spec = value;
        var protocol = "tcp";
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..];
            spec = spec[..slash];
            if (protocol is not ("tcp" or "udp")) throw Bad(value, $"protocol \"{protocol}\" is not tcp or udp");
        }
        string? hostIp = null;
        string hostPort = "", containerPort;
        // an IPv6 host address comes in brackets: [::1]:8080:80
        if (spec.StartsWith('['))
        {
            var close = spec.IndexOf(']');
            if (close < 0 || close + 1 >= spec.Length || spec[close + 1] != ':') throw Bad(value, "an IPv6 host address must be [ADDR]:HOSTPORT:PORT");
            hostIp = spec[1..close];
            spec = spec[(close + 2)..];
            var parts6 = spec.Split(':');
            if (parts6.Length != 2) throw Bad(value, "expected [HOSTIP]:HOSTPORT:PORT");
            (hostPort, containerPort) = (parts6[0], parts6[1]);
        }
        else
        {
            var parts = spec.Split(':');
            switch (parts.Length)
            {
                case 1: containerPort = parts[0]; break;
                case 2: (hostPort, containerPort) = (parts[0], parts[1]); break;
                case 3: (hostIp, hostPort, containerPort) = (parts[0], parts[1], parts[2]); break;
                default: throw Bad(value, "expected [[HOSTIP:]HOSTPORT:]PORT[/PROTO]");
            }
        }
        if (hostIp is not null)
        {
            if (hostIp.Length == 0) hostIp = null;
            else if (!IPAddress.TryParse(hostIp, out var ip)) throw Bad(value, $"host address \"{hostIp}\" is not an IP address");
            else if (ip.AddressFamily != AddressFamily.InterNetwork) throw Bad(value, $"host address \"{hostIp}\": only IPv4 is supported");
        }
        var mapping = new PortMapping
        {
            HostIp = hostIp,
            HostPort = hostPort.Length == 0 ? 0 : Port(value, hostPort, "host port"),
            ContainerPort = Port(value, containerPort, "container port"),
            Protocol = protocol,
        };
        return mapping;
    }

    /// <summary>Checks a mapping that came in a document (not through <see cref="Parse"/>); <paramref name="path"/> names it.</summary>
    public static void Validate(PortMapping p, string path)
    {
        if (p.ContainerPort is < 1 or > 65535) throw new CartonException(ErrorKind.InvalidDocument, $"{path}.containerPort: {p.ContainerPort} is not a port (1-65535)", jsonPath: path + ".containerPort", reason: "not a port (1-65535)");
        if (p.HostPort is < 0 or > 65535) throw new CartonException(ErrorKind.InvalidDocument, $"{path}.hostPort: {p.HostPort} is not a port (0 for any, 1-65535)", jsonPath: path + ".hostPort", reason: "not a port (0 for any, 1-65535)");
        if (p.Protocol is not ("tcp" or "udp")) throw new CartonException(ErrorKind.InvalidDocument, $"{path}.protocol: \"{p.Protocol}\" is not tcp or udp", jsonPath: path + ".protocol", reason: "not tcp or udp");
        if (!string.IsNullOrEmpty(p.HostIp) && (!IPAddress.TryParse(p.HostIp, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork))
            throw new CartonException(ErrorKind.InvalidDocument, $"{path}.hostIp: \"{p.HostIp}\" is not an IPv4 address", jsonPath: path + ".hostIp", reason: "not an IPv4 address");
    }

    private static int Port(string value, string text, string what)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw Bad(value, $"{what} \"{text}\" is not a port (1-65535)");
        return port;
    }

    private static CartonException Bad(string value, string why) =>
        new(ErrorKind.InvalidDocument, $"invalid port mapping \"{value}\": {why}", reason: why);
}
