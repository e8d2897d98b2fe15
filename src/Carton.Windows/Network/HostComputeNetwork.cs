using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>
/// HCN's <c>HostComputeNetwork</c> document, the subset Carton uses (Microsoft's "HcnSchema" reference page under
/// https://learn.microsoft.com/virtualization/api/hcn/; hcsshim's hcn/hcnnetwork.go is the same shape).
/// Every object's id is "ID" in the schema's <c>Base</c>, as hcsshim writes it; the older "HCN JSON document schemas"
/// page spells it "Id", so <see cref="HcnJsonContext"/> reads names in any case.
/// </summary>
public sealed class HostComputeNetwork
{
    /// <summary>The network's GUID ("D" form).</summary>
    [JsonPropertyName("ID")] public string? Id { get; set; }
    /// <summary>Its name.</summary>
    [JsonPropertyName("Name")] public string? Name { get; set; }
    /// <summary>The network mode: <see cref="HcnNetworkTypes"/>.</summary>
    [JsonPropertyName("Type")] public string? Type { get; set; }
    /// <summary>Network policies.</summary>
    [JsonPropertyName("Policies")] public List<HcnPolicy>? Policies { get; set; }
    /// <summary>MAC ranges for its endpoints.</summary>
    [JsonPropertyName("MacPool")] public HcnMacPool? MacPool { get; set; }
    /// <summary>DNS for its endpoints.</summary>
    [JsonPropertyName("Dns")] public HcnDns? Dns { get; set; }
    /// <summary>Its address spaces.</summary>
    [JsonPropertyName("Ipams")] public List<HcnIpam>? Ipams { get; set; }
    /// <summary>NetworkFlags, a bit mask (hcsshim: EnableNonPersistent 8, DisableHostPort 1024).</summary>
    [JsonPropertyName("Flags")] public uint? Flags { get; set; }
    /// <summary>The schema version (2.0).</summary>
    [JsonPropertyName("SchemaVersion")] public HcnSchemaVersion? SchemaVersion { get; set; }
    /// <summary>Unknown fields (Health, State, Owner...), kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>NetworkMode</c> values Carton uses.</summary>
public static class HcnNetworkTypes
{
    /// <summary>WinNAT behind the host's address, with port mappings: Docker on Windows' default "nat" network.</summary>
    public const string Nat = "NAT";
    /// <summary>An internal vSwitch: the host and its containers reach each other, nothing reaches out.</summary>
    public const string Internal = "Internal";
    /// <summary>A private vSwitch: the containers reach each other only.</summary>
    public const string Private = "Private";
    /// <summary>Bridged onto a host adapter.</summary>
    public const string Transparent = "Transparent";
    /// <summary>Layer-2 bridge.</summary>
    public const string L2Bridge = "L2Bridge";
    /// <summary>Internet Connection Sharing.</summary>
    public const string Ics = "ICS";
}

/// <summary>HCN's <c>Ipam</c>: an address space of a network.</summary>
public sealed class HcnIpam
{
    /// <summary>"Static" (HNS allocates from <see cref="Subnets"/>) or "Dhcp".</summary>
    [JsonPropertyName("Type")] public string? Type { get; set; }
    /// <summary>Its subnets.</summary>
    [JsonPropertyName("Subnets")] public List<HcnSubnet>? Subnets { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>Subnet</c>.</summary>
public sealed class HcnSubnet
{
    /// <summary>The subnet in CIDR form.</summary>
    [JsonPropertyName("IpAddressPrefix")] public string? IpAddressPrefix { get; set; }
    /// <summary>Subnet policies (VLAN, VSID).</summary>
    [JsonPropertyName("Policies")] public List<HcnPolicy>? Policies { get; set; }
    /// <summary>The routes its endpoints get: the default route's NextHop is the gateway.</summary>
    [JsonPropertyName("Routes")] public List<HcnRoute>? Routes { get; set; }
    /// <summary>SubnetFlags (DoNotReserveGatewayAddress 1).</summary>
    [JsonPropertyName("Flags")] public uint? Flags { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>MacPool</c>.</summary>
public sealed class HcnMacPool
{
    /// <summary>The ranges.</summary>
    [JsonPropertyName("Ranges")] public List<HcnMacRange>? Ranges { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>MacRange</c> ("00-15-5D-52-C0-00" form).</summary>
public sealed class HcnMacRange
{
    /// <summary>The first address.</summary>
    [JsonPropertyName("StartMacAddress")] public string? StartMacAddress { get; set; }
    /// <summary>The last address.</summary>
    [JsonPropertyName("EndMacAddress")] public string? EndMacAddress { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A policy of a network, endpoint or subnet: its <c>Type</c> and its type's <c>Settings</c> document.</summary>
public sealed class HcnPolicy
{
    /// <summary>The policy type ("PortMapping", "OutBoundNAT", "VLAN"...).</summary>
    [JsonPropertyName("Type")] public string? Type { get; set; }
    /// <summary>The settings, whose shape the type decides (<see cref="HcnPortMappingPolicySetting"/> for PortMapping).</summary>
    [JsonPropertyName("Settings")] public JsonElement? Settings { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
