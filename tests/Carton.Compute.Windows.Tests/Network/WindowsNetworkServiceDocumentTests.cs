using Carton.Network;
using Carton.Network.Windows;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>The JSON documents the service sends to HCN, against documents written by hand from Microsoft's HcnSchema
/// reference (HostComputeNetwork, HostComputeEndpoint, PortMappingPolicySetting, HostComputeNamespace,
/// ModifyNamespaceSettingRequest), compared structurally.</summary>
public sealed class WindowsNetworkServiceDocumentTests : IDisposable
{
    private readonly NetworkServiceFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static string G(string id) => HcnIds.GuidOf(id).ToString("D");

    [Fact]
    public async Task A_network_is_a_NAT_network_with_a_static_subnet_whose_default_route_is_the_gateway()
    {
        var net = await _f.Service.CreateNetworkAsync(new NetworkCreateOptions { Name = "web", Subnet = "172.30.0.0/16", Gateway = "172.30.0.254" });
        var call = Assert.Single(_f.Hcn.Calls);
        Assert.Equal("HcnCreateNetwork", call.Operation);
        Assert.Equal(HcnIds.GuidOf(net.Id), call.Id);
        NetworkServiceFixture.AssertSameJson($$"""
            {
              "ID": "{{G(net.Id)}}",
              "Name": "web",
              "Type": "NAT",
              "Ipams": [ { "Type": "Static", "Subnets": [ {
                  "IpAddressPrefix": "172.30.0.0/16",
                  "Routes": [ { "NextHop": "172.30.0.254", "DestinationPrefix": "0.0.0.0/0" } ] } ] } ],
              "SchemaVersion": { "Major": 2, "Minor": 0 }
            }
            """, call.Json);
    }

    [Fact]
    public async Task An_internal_network_is_HCNs_Internal_type_with_no_default_route()
    {
        var net = await _f.Service.CreateNetworkAsync(new NetworkCreateOptions { Name = "back", Subnet = "10.99.0.0/24", Internal = true });
        NetworkServiceFixture.AssertSameJson($$"""
            {
              "ID": "{{G(net.Id)}}", "Name": "back", "Type": "Internal",
              "Ipams": [ { "Type": "Static", "Subnets": [ { "IpAddressPrefix": "10.99.0.0/24" } ] } ],
              "SchemaVersion": { "Major": 2, "Minor": 0 }
            }
            """, _f.Hcn.Calls[0].Json);
        Assert.Equal("internal", net.Driver);
        Assert.Equal("10.99.0.1", net.Gateway);
    }

    [Fact]
    public async Task Attaching_sends_the_endpoint_with_port_mappings_address_MAC_and_the_namespaces_DNS_then_adds_it()
    {
        await _f.Service.CreateNetworkAsync(new NetworkCreateOptions { Name = "web", Subnet = "172.30.0.0/16" });
        var ep = await _f.Service.CreateEndpointAsync(new EndpointCreateOptions
        {
            Network = "web", Name = "api", IpAddress = "172.30.0.9", MacAddress = "02:42:ac:1e:00:09",
            Ports = [new PortMapping { HostPort = 0, ContainerPort = 80 }, new PortMapping { HostIp = "127.0.0.1", HostPort = 0, ContainerPort = 53, Protocol = "udp" }],
        });
        var ns = await _f.Service.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "c1", Dns = ["10.0.0.2", "10.0.0.3"], DnsSearch = ["corp.example"], DnsOptions = ["ndots:2"] });
        _f.Hcn.Calls.Clear();

        await _f.Service.AttachEndpointAsync(ep.Id, ns.Id);

        Assert.Equal(["HcnCreateEndpoint", "HcnModifyNamespace"], _f.Hcn.Operations);
        var net = await _f.Service.InspectNetworkAsync("web");
        NetworkServiceFixture.AssertSameJson($$"""
            {
              "ID": "{{G(ep.Id)}}",
              "Name": "api-{{ep.Id[..12]}}",
              "HostComputeNetwork": "{{G(net.Id)}}",
              "Policies": [
                { "Type": "PortMapping", "Settings": { "Protocol": 6, "InternalPort": 80, "ExternalPort": {{ep.Ports[0].HostPort}} } },
                { "Type": "PortMapping", "Settings": { "Protocol": 17, "InternalPort": 53, "ExternalPort": {{ep.Ports[1].HostPort}}, "VIP": "127.0.0.1" } }
              ],
              "IpConfigurations": [ { "IpAddress": "172.30.0.9", "PrefixLength": 16 } ],
              "Dns": { "Search": [ "corp.example" ], "ServerList": [ "10.0.0.2", "10.0.0.3" ], "Options": [ "ndots:2" ] },
              "MacAddress": "02-42-AC-1E-00-09",
              "SchemaVersion": { "Major": 2, "Minor": 0 }
            }
            """, _f.Hcn.Calls[0].Json);
        Assert.Equal(HcnIds.GuidOf(ep.Id), _f.Hcn.Calls[0].Id);
        NetworkServiceFixture.AssertSameJson($$"""
            { "ResourceType": "Endpoint", "RequestType": "Add", "Settings": { "EndpointId": "{{G(ep.Id)}}" } }
            """, _f.Hcn.Calls[1].Json);
        Assert.Equal(HcnIds.NamespaceGuidOf("c1"), _f.Hcn.Calls[1].Id);
    }

    [Fact]
    public async Task An_endpoint_without_ports_address_MAC_or_DNS_sends_none_of_them()
    {
        var ep = await _f.Service.CreateEndpointAsync(new EndpointCreateOptions());
        var ns = await _f.Service.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "c2" });
        _f.Hcn.Calls.Clear();
        await _f.Service.AttachEndpointAsync(ep.Id, ns.Id);
        var net = await _f.Service.InspectNetworkAsync(NetworkDefaults.DefaultNetworkName);
        NetworkServiceFixture.AssertSameJson($$"""
            { "ID": "{{G(ep.Id)}}", "Name": "{{ep.Id[..12]}}", "HostComputeNetwork": "{{G(net.Id)}}", "SchemaVersion": { "Major": 2, "Minor": 0 } }
            """, _f.Hcn.Calls[0].Json);
    }

    [Fact]
    public async Task A_namespace_is_a_Host_namespace_and_detaching_removes_then_deletes()
    {
        var ns = await _f.Service.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "c3" });
        var guid = HcnIds.NamespaceGuidOf("c3").ToString("D");
        NetworkServiceFixture.AssertSameJson($$"""{ "ID": "{{guid}}", "Type": "Host", "SchemaVersion": { "Major": 2, "Minor": 0 } }""", _f.Hcn.Calls[0].Json);
        Assert.Equal(guid, ns.Path);

        var ep = await _f.Service.CreateEndpointAsync(new EndpointCreateOptions());
        await _f.Service.AttachEndpointAsync(ep.Id, ns.Id);
        _f.Hcn.Calls.Clear();
        await _f.Service.DetachEndpointAsync(ep.Id);
        Assert.Equal(["HcnModifyNamespace", "HcnDeleteEndpoint"], _f.Hcn.Operations);
        NetworkServiceFixture.AssertSameJson($$"""
            { "ResourceType": "Endpoint", "RequestType": "Remove", "Settings": { "EndpointId": "{{G(ep.Id)}}" } }
            """, _f.Hcn.Calls[0].Json);
        Assert.Equal(HcnIds.GuidOf(ep.Id), _f.Hcn.Calls[1].Id);
    }
}
