using System.Text.Json.Serialization;

namespace Carton.Network;

/// <summary>What to create: a bridge network Carton configures (subnet, gateway, internal), or one from a CNI
/// configuration the user supplies (<see cref="ConfList"/>, used as is).</summary>
public sealed class NetworkCreateOptions
{
    /// <summary>The network's name: <c>^[A-Za-z0-9][A-Za-z0-9_.-]*$</c>, at most 64 characters.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>An IPv4 subnet in CIDR form ("10.89.3.0/24"); null picks a free /24 that no route of the host covers.</summary>
    [JsonPropertyName("subnet")] public string? Subnet { get; set; }

    /// <summary>The bridge's address in the subnet; null takes the subnet's first address.</summary>
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }

    /// <summary>No route out: no default route in the containers, no masquerade, no port publishing.</summary>
    [JsonPropertyName("internal")] public bool Internal { get; set; }

    /// <summary>Labels, kept as given.</summary>
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }

    /// <summary>A CNI network configuration list (.conflist, or a single .conf) to use as is, instead of Carton's
    /// bridge; its "name" must equal <see cref="Name"/>. Subnet, gateway and internal must then be absent.</summary>
    [JsonPropertyName("confList")] public string? ConfList { get; set; }
}

/// <summary>A network.</summary>
public sealed class NetworkInfo
{
    /// <summary>64 hex characters, fixed at creation.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>The unique name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>"bridge" for a network Carton configured, "cni" for a user-supplied configuration.</summary>
    [JsonPropertyName("driver")] public string Driver { get; set; } = "bridge";
    /// <summary>The subnet (bridge networks).</summary>
    [JsonPropertyName("subnet")] public string? Subnet { get; set; }
    /// <summary>The gateway (bridge networks).</summary>
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
    /// <summary>The host's bridge device (bridge networks).</summary>
    [JsonPropertyName("bridge")] public string? Bridge { get; set; }
    /// <summary>No route out.</summary>
    [JsonPropertyName("internal")] public bool Internal { get; set; }
    /// <summary>Labels.</summary>
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    /// <summary>When it was created (UTC).</summary>
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    /// <summary>The CNI version of its configuration.</summary>
    [JsonPropertyName("cniVersion")] public string CniVersion { get; set; } = "";
    /// <summary>The plugin types of its configuration, in chain order.</summary>
    [JsonPropertyName("plugins")] public List<string> Plugins { get; set; } = [];
    /// <summary>The ids of its endpoints.</summary>
    [JsonPropertyName("endpoints")] public List<string> Endpoints { get; set; } = [];
}

/// <summary>A port published from the host to an endpoint.</summary>
public sealed class PortMapping
{
    /// <summary>The host address to listen on; null or "" is every address (0.0.0.0).</summary>
    [JsonPropertyName("hostIp")] public string? HostIp { get; set; }
    /// <summary>The host port; 0 picks a free one, reported back in <see cref="EndpointInfo.Ports"/>.</summary>
    [JsonPropertyName("hostPort")] public int HostPort { get; set; }
    /// <summary>The container's port.</summary>
    [JsonPropertyName("containerPort")] public int ContainerPort { get; set; }
    /// <summary>"tcp" (the default) or "udp".</summary>
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "tcp";

    /// <summary>docker's form, "HOSTIP:HOSTPORT->PORT/PROTO".</summary>
    public override string ToString() => $"{(string.IsNullOrEmpty(HostIp) ? "0.0.0.0" : HostIp)}:{HostPort}->{ContainerPort}/{Protocol}";
}

/// <summary>What to create on a network.</summary>
public sealed class EndpointCreateOptions
{
    /// <summary>The network's name or id; null or "" is the default network.</summary>
    [JsonPropertyName("network")] public string? Network { get; set; }
    /// <summary>The name other containers on the network resolve (the container's name); optional.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    /// <summary>More names for it on this network.</summary>
    [JsonPropertyName("aliases")] public List<string>? Aliases { get; set; }
    /// <summary>Ports to publish.</summary>
    [JsonPropertyName("ports")] public List<PortMapping>? Ports { get; set; }
    /// <summary>A fixed IPv4 address in the network's subnet (CNI's "ips" capability); null lets IPAM pick.</summary>
    [JsonPropertyName("ipAddress")] public string? IpAddress { get; set; }
    /// <summary>A fixed MAC address (CNI's "mac" capability).</summary>
    [JsonPropertyName("macAddress")] public string? MacAddress { get; set; }
    /// <summary>Labels, kept as given (the compute service marks the system that owns the endpoint).</summary>
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>An endpoint.</summary>
public sealed class EndpointInfo
{
    /// <summary>64 hex characters.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>The network's name.</summary>
    [JsonPropertyName("network")] public string Network { get; set; } = "";
    /// <summary>The network's id.</summary>
    [JsonPropertyName("networkId")] public string NetworkId { get; set; } = "";
    /// <summary>The name other containers resolve.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    /// <summary>Its aliases.</summary>
    [JsonPropertyName("aliases")] public List<string> Aliases { get; set; } = [];
    /// <summary>Published ports, with the host ports actually taken.</summary>
    [JsonPropertyName("ports")] public List<PortMapping> Ports { get; set; } = [];
    /// <summary>The namespace it is attached to, or null.</summary>
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    /// <summary>The interface inside the namespace (eth0), once attached.</summary>
    [JsonPropertyName("interface")] public string? InterfaceName { get; set; }
    /// <summary>Its IPv4 address in CIDR form ("10.89.0.2/24"), once attached.</summary>
    [JsonPropertyName("ipAddress")] public string? IpAddress { get; set; }
    /// <summary>The gateway, once attached.</summary>
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
    /// <summary>The MAC address, once attached.</summary>
    [JsonPropertyName("macAddress")] public string? MacAddress { get; set; }
    /// <summary>The address asked for at creation (or null).</summary>
    [JsonPropertyName("requestedIpAddress")] public string? RequestedIpAddress { get; set; }
    /// <summary>The MAC asked for at creation (or null).</summary>
    [JsonPropertyName("requestedMacAddress")] public string? RequestedMacAddress { get; set; }
    /// <summary>Labels.</summary>
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    /// <summary>When it was created (UTC).</summary>
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
}

/// <summary>What to create: a namespace and the identity its containers see.</summary>
public sealed class NamespaceCreateOptions
{
    /// <summary>An id (<c>^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$</c>, as a container id); null makes one.</summary>
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>/etc/hostname, and the name /etc/hosts gives the namespace's own addresses; null is the id's first 12 characters.</summary>
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    /// <summary>Name servers for /etc/resolv.conf; null or empty copies the host's (less loopback servers, which the
    /// namespace cannot reach).</summary>
    [JsonPropertyName("dns")] public List<string>? Dns { get; set; }
    /// <summary>Search domains for /etc/resolv.conf.</summary>
    [JsonPropertyName("dnsSearch")] public List<string>? DnsSearch { get; set; }
    /// <summary>Options for /etc/resolv.conf ("ndots:2").</summary>
    [JsonPropertyName("dnsOptions")] public List<string>? DnsOptions { get; set; }
    /// <summary>More /etc/hosts lines, "NAME:IP" as docker's --add-host.</summary>
    [JsonPropertyName("extraHosts")] public List<string>? ExtraHosts { get; set; }
    /// <summary>Labels.</summary>
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>A namespace.</summary>
public sealed class NamespaceInfo
{
    /// <summary>Its id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>The pinned namespace: the path that goes into an OCI spec's network namespace.</summary>
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary>The hostname.</summary>
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    /// <summary>The file to bind-mount at /etc/hosts (rewritten in place as endpoints come and go).</summary>
    [JsonPropertyName("hostsPath")] public string HostsPath { get; set; } = "";
    /// <summary>The file to bind-mount at /etc/resolv.conf.</summary>
    [JsonPropertyName("resolvConfPath")] public string ResolvConfPath { get; set; } = "";
    /// <summary>The file to bind-mount at /etc/hostname.</summary>
    [JsonPropertyName("hostnamePath")] public string HostnamePath { get; set; } = "";
    /// <summary>The endpoints attached to it.</summary>
    [JsonPropertyName("endpoints")] public List<string> Endpoints { get; set; } = [];
    /// <summary>The creation options it keeps (DNS, extra hosts).</summary>
    [JsonPropertyName("options")] public NamespaceCreateOptions Options { get; set; } = new();
    /// <summary>Labels.</summary>
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    /// <summary>When it was created (UTC).</summary>
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
}
