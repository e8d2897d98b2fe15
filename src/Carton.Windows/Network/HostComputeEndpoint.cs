using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>HCN's <c>HostComputeEndpoint</c> document, the subset Carton uses (HcnSchema reference; hcsshim's
/// hcn/hcnendpoint.go).</summary>
public sealed class HostComputeEndpoint
{
    /// <summary>The endpoint's GUID.</summary>
    [JsonPropertyName("ID")] public string? Id { get; set; }
    /// <summary>Its name.</summary>
    [JsonPropertyName("Name")] public string? Name { get; set; }
    /// <summary>The GUID of its network.</summary>
    [JsonPropertyName("HostComputeNetwork")] public string? HostComputeNetwork { get; set; }
    /// <summary>The GUID of the namespace it is in, once added to one.</summary>
    [JsonPropertyName("HostComputeNamespace")] public string? HostComputeNamespace { get; set; }
    /// <summary>Its policies: one PortMapping per published port.</summary>
    [JsonPropertyName("Policies")] public List<HcnPolicy>? Policies { get; set; }
    /// <summary>Its addresses (asked for at creation, or the ones HNS allocated).</summary>
    [JsonPropertyName("IpConfigurations")] public List<HcnIpConfig>? IpConfigurations { get; set; }
    /// <summary>Its DNS: what the container's resolver uses.</summary>
    [JsonPropertyName("Dns")] public HcnDns? Dns { get; set; }
    /// <summary>Its routes.</summary>
    [JsonPropertyName("Routes")] public List<HcnRoute>? Routes { get; set; }
    /// <summary>Its MAC address, in HCN's "00-15-5D-12-34-56" form.</summary>
    [JsonPropertyName("MacAddress")] public string? MacAddress { get; set; }
    /// <summary>EndpointFlags (RemoteEndpoint 1, DisableInterComputeCommunication 2...).</summary>
    [JsonPropertyName("Flags")] public uint? Flags { get; set; }
    /// <summary>The schema version (2.0).</summary>
    [JsonPropertyName("SchemaVersion")] public HcnSchemaVersion? SchemaVersion { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>IpConfig</c>.</summary>
public sealed class HcnIpConfig
{
    /// <summary>The address ("10.89.0.5").</summary>
    [JsonPropertyName("IpAddress")] public string? IpAddress { get; set; }
    /// <summary>The prefix length (24).</summary>
    [JsonPropertyName("PrefixLength")] public byte? PrefixLength { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>
/// The settings of a <c>PortMapping</c> endpoint policy: WinNAT forwards the host's <see cref="ExternalPort"/> to the
/// endpoint's <see cref="InternalPort"/>. Protocol is the IP protocol number (6 TCP, 17 UDP) as hcsshim sends it
/// (hcn/hcnpolicy.go's PortMappingPolicySetting); the HcnSchema page lists ProtocolType names, but HNS answers with and
/// accepts the numbers containerd's and Docker's Windows networking send.
/// </summary>
public sealed class HcnPortMappingPolicySetting
{
    /// <summary>6 (TCP) or 17 (UDP).</summary>
    [JsonPropertyName("Protocol")] public uint? Protocol { get; set; }
    /// <summary>The container's port.</summary>
    [JsonPropertyName("InternalPort")] public ushort? InternalPort { get; set; }
    /// <summary>The host's port.</summary>
    [JsonPropertyName("ExternalPort")] public ushort? ExternalPort { get; set; }
    /// <summary>The host address to listen on; absent is every address.</summary>
    [JsonPropertyName("VIP")] public string? Vip { get; set; }
    /// <summary>NatFlags (LocalRoutedVip 1, IPv6 2).</summary>
    [JsonPropertyName("Flags")] public uint? Flags { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>IPPROTO_TCP.</summary>
    public const uint Tcp = 6;
    /// <summary>IPPROTO_UDP.</summary>
    public const uint Udp = 17;
}
