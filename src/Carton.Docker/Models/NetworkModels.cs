namespace Carton.Docker.Models;

/// <summary>A network as GET /networks and GET /networks/{id} return it (swagger Network / NetworkInspect).</summary>
public sealed class NetworkResource
{
    public string Name { get; set; } = "";
    public string Id { get; set; } = "";
    public string Created { get; set; } = "";
    public string Scope { get; set; } = "local";
    public string Driver { get; set; } = "bridge";
    public bool EnableIPv4 { get; set; } = true;
    public bool EnableIPv6 { get; set; }
    public NetworkIpam IPAM { get; set; } = new();
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool Ingress { get; set; }
    public NetworkConfigFrom ConfigFrom { get; set; } = new();
    public bool ConfigOnly { get; set; }
    /// <summary>Container id → its endpoint (inspect only; the list leaves it empty, as dockerd does).</summary>
    public Dictionary<string, NetworkContainer> Containers { get; set; } = [];
    public Dictionary<string, string> Options { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];
}

/// <summary>NetworkResource.IPAM.</summary>
public sealed class NetworkIpam
{
    public string Driver { get; set; } = "default";
    public List<IpamConfig> Config { get; set; } = [];
    public Dictionary<string, string>? Options { get; set; }
}

/// <summary>One IPAM pool.</summary>
public sealed class IpamConfig
{
    public string? Subnet { get; set; }
    public string? IPRange { get; set; }
    public string? Gateway { get; set; }
}

/// <summary>NetworkResource.ConfigFrom.</summary>
public sealed class NetworkConfigFrom
{
    public string Network { get; set; } = "";
}

/// <summary>NetworkResource.Containers[id].</summary>
public sealed class NetworkContainer
{
    public string Name { get; set; } = "";
    public string EndpointID { get; set; } = "";
    public string MacAddress { get; set; } = "";
    public string IPv4Address { get; set; } = "";
    public string IPv6Address { get; set; } = "";
}

/// <summary>POST /networks/create's body.</summary>
public sealed class NetworkCreateRequest
{
    public string? Name { get; set; }
    public bool? CheckDuplicate { get; set; }
    public string? Driver { get; set; }
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool Ingress { get; set; }
    public bool? EnableIPv6 { get; set; }
    public NetworkIpam? IPAM { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>POST /networks/create's answer.</summary>
public sealed class NetworkCreateResponse
{
    public string Id { get; set; } = "";
    public string Warning { get; set; } = "";
}

/// <summary>POST /networks/{id}/connect's body.</summary>
public sealed class NetworkConnectRequest
{
    public string? Container { get; set; }
    public EndpointSettings? EndpointConfig { get; set; }
}

/// <summary>POST /networks/{id}/disconnect's body.</summary>
public sealed class NetworkDisconnectRequest
{
    public string? Container { get; set; }
    public bool Force { get; set; }
}
