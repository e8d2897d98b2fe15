using System.Text.Json;
using Carton.Windows.Network;

namespace Carton.Network.Windows;

/// <summary>
/// The HCN documents the service sends, built from the contract's records: one place that says how a Carton network,
/// endpoint or namespace reads in HCN's schema (HcnSchema reference; the same shapes hcsshim's hcn package and its
/// tests send).
/// </summary>
internal static class HcnDocuments
{
    /// <summary>The default route's destination.</summary>
    public const string DefaultRoute = "0.0.0.0/0";

    /// <summary>
    /// A network: NAT (WinNAT behind the host's address, Docker on Windows' "nat"), or Internal for a network with no
    /// way out (an internal vSwitch: the host and the containers reach each other, nothing is translated outwards).
    /// HNS allocates endpoint addresses from the one static subnet; a NAT subnet's default route names the gateway,
    /// the address the host's vNIC on the network takes. An internal network gets no default route, so its containers
    /// have none, as on Linux.
    /// </summary>
    public static HostComputeNetwork Network(Guid id, string name, string subnet, string gateway, bool isInternal) => new()
    {
        Id = id.ToString("D"),
        Name = name,
        Type = isInternal ? HcnNetworkTypes.Internal : HcnNetworkTypes.Nat,
        Ipams =
        [
            new HcnIpam
            {
                Type = "Static",
                Subnets =
                [
                    new HcnSubnet
                    {
                        IpAddressPrefix = subnet,
                        Routes = isInternal ? null : [new HcnRoute { NextHop = gateway, DestinationPrefix = DefaultRoute }],
                    },
                ],
            },
        ],
        SchemaVersion = HcnSchemaVersion.V2,
    };

    /// <summary>
    /// An endpoint on <paramref name="network"/>: a PortMapping policy per published port (WinNAT's static mappings),
    /// the address and MAC asked for, and the DNS the namespace asked for: on Windows the endpoint's Dns is what the
    /// container's resolver uses (there is no resolv.conf to write).
    /// </summary>
    public static HostComputeEndpoint Endpoint(Guid id, Guid network, EndpointInfo endpoint, int prefixLength, NamespaceCreateOptions? dns)
    {
        var doc = new HostComputeEndpoint
        {
            Id = id.ToString("D"),
            Name = endpoint.Name is { } n ? $"{n}-{endpoint.Id[..12]}" : endpoint.Id[..12],
            HostComputeNetwork = network.ToString("D"),
            SchemaVersion = HcnSchemaVersion.V2,
        };
        if (endpoint.Ports.Count > 0) doc.Policies = [.. endpoint.Ports.Select(PortMapping)];
        if (endpoint.RequestedIpAddress is { } ip) doc.IpConfigurations = [new HcnIpConfig { IpAddress = ip, PrefixLength = (byte)prefixLength }];
        if (endpoint.RequestedMacAddress is { } mac) doc.MacAddress = ToHcnMac(mac);
        if (dns is not null && (dns.Dns is { Count: > 0 } || dns.DnsSearch is { Count: > 0 } || dns.DnsOptions is { Count: > 0 }))
        {
            doc.Dns = new HcnDns
            {
                ServerList = dns.Dns is { Count: > 0 } servers ? [.. servers] : null,
                Search = dns.DnsSearch is { Count: > 0 } search ? [.. search] : null,
                Options = dns.DnsOptions is { Count: > 0 } options ? [.. options] : null,
            };
        }
        return doc;
    }

    /// <summary>A PortMapping policy: the host's port (on <see cref="PortMapping.HostIp"/> when one is given, as VIP)
    /// to the container's, protocol 6 or 17.</summary>
    public static HcnPolicy PortMapping(PortMapping p)
    {
        var setting = new HcnPortMappingPolicySetting
        {
            Protocol = p.Protocol == "udp" ? HcnPortMappingPolicySetting.Udp : HcnPortMappingPolicySetting.Tcp,
            InternalPort = (ushort)p.ContainerPort,
            ExternalPort = (ushort)p.HostPort,
            Vip = string.IsNullOrEmpty(p.HostIp) || p.HostIp == "0.0.0.0" ? null : p.HostIp,
        };
        return new HcnPolicy { Type = "PortMapping", Settings = JsonSerializer.SerializeToElement(setting, HcnJsonContext.Default.HcnPortMappingPolicySetting) };
    }

    /// <summary>A namespace for process-isolated containers: a compartment on the host (hcsshim's NamespaceTypeHost).</summary>
    public static HostComputeNamespace Namespace(Guid id) => new()
    {
        Id = id.ToString("D"),
        Type = HcnNamespaceTypes.Host,
        SchemaVersion = HcnSchemaVersion.V2,
    };

    /// <summary>"aa:bb:cc:dd:ee:ff" as HCN writes MACs: "AA-BB-CC-DD-EE-FF".</summary>
    public static string ToHcnMac(string mac) => mac.Replace(':', '-').ToUpperInvariant();

    /// <summary>HCN's "AA-BB-CC-DD-EE-FF" in the contract's form, "aa:bb:cc:dd:ee:ff".</summary>
    public static string FromHcnMac(string mac) => mac.Replace('-', ':').ToLowerInvariant();

    public static string Json(HostComputeNetwork doc) => JsonSerializer.Serialize(doc, HcnJsonContext.Default.HostComputeNetwork);
    public static string Json(HostComputeEndpoint doc) => JsonSerializer.Serialize(doc, HcnJsonContext.Default.HostComputeEndpoint);
    public static string Json(HostComputeNamespace doc) => JsonSerializer.Serialize(doc, HcnJsonContext.Default.HostComputeNamespace);
    public static string Json(HcnModifyNamespaceSettingRequest doc) => JsonSerializer.Serialize(doc, HcnJsonContext.Default.HcnModifyNamespaceSettingRequest);
}
