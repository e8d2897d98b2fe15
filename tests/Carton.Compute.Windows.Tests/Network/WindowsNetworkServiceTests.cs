using System.Net;
using System.Net.Sockets;
using Carton.Network;
using Carton.Network.Windows;
using Carton.Windows.Network;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>The Windows network service against HCN in memory: round trips, the order of HCN calls, and every error
/// path with its kind, its subject and nothing left behind.</summary>
public sealed class WindowsNetworkServiceTests : IDisposable
{
    private readonly NetworkServiceFixture _f = new();
    private WindowsNetworkService S => _f.Service;
    private FakeHostComputeNetwork Hcn => _f.Hcn;

    public void Dispose() => _f.Dispose();

    // ---------------------------------------------------------------- networks

    [Fact]
    public async Task Networks_create_list_inspect_and_delete()
    {
        var net = await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web", Labels = new() { ["a"] = "b" } });
        Assert.Matches("^[0-9a-f]{64}$", net.Id);
        Assert.Equal("nat", net.Driver);
        Assert.Equal("10.89.0.0/24", net.Subnet);
        Assert.Equal("10.89.0.1", net.Gateway);
        Assert.Null(net.Bridge);
        Assert.Empty(net.Plugins);
        Assert.True(Hcn.Networks.ContainsKey(HcnIds.GuidOf(net.Id)));

        var second = await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "db" });
        Assert.Equal("10.89.1.0/24", second.Subnet); // the next free /24

        Assert.Equal(["db", "web"], (await S.ListNetworksAsync()).Select(n => n.Name).Order());
        Assert.Equal(net.Id, (await S.InspectNetworkAsync("web")).Id);
        Assert.Equal("web", (await S.InspectNetworkAsync(net.Id[..8])).Name);
        Assert.Equal("b", (await S.InspectNetworkAsync(net.Id)).Labels!["a"]);

        await S.DeleteNetworkAsync("web");
        Assert.False(Hcn.Networks.ContainsKey(HcnIds.GuidOf(net.Id)));
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.InspectNetworkAsync("web"))).Kind);
        Assert.Equal(["networks/db.json"], _f.Records());
    }

    [Fact]
    public async Task The_default_network_is_made_on_first_use_as_a_NAT_network()
    {
        Assert.Empty(await S.ListNetworksAsync());
        var net = await S.InspectNetworkAsync(NetworkDefaults.DefaultNetworkName);
        Assert.Equal("nat", net.Driver);
        var doc = Hcn.Networks[HcnIds.GuidOf(net.Id)];
        Assert.Equal("NAT", doc["Type"]!.GetValue<string>());
        Assert.Equal(NetworkDefaults.DefaultNetworkName, doc["Name"]!.GetValue<string>());
        await S.InspectNetworkAsync("");
        Assert.Single(Hcn.Calls, c => c.Operation == "HcnCreateNetwork");
    }

    [Theory]
    [InlineData("", null, null, "name")]
    [InlineData("-bad", null, null, "name")]
    [InlineData("web", "10.0.0.0", null, "subnet")]
    [InlineData("web", "10.0.0.1/24", null, "subnet")]
    [InlineData("web", "10.0.0.0/31", null, "subnet")]
    [InlineData("web", "10.0.0.0/24", "10.0.1.1", "gateway")]
    [InlineData("web", "10.0.0.0/24", "10.0.0.255", "gateway")]
    [InlineData("web", "10.0.0.0/24", "gw", "gateway")]
    public async Task Invalid_network_options_name_their_field_and_reach_no_HCN(string name, string? subnet, string? gateway, string field)
    {
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateNetworkAsync(new NetworkCreateOptions { Name = name, Subnet = subnet, Gateway = gateway }));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(field, e.JsonPath);
        Assert.Empty(Hcn.Calls);
        Assert.Empty(_f.Records());
    }

    [Fact]
    public async Task A_CNI_configuration_list_is_Unsupported_on_Windows()
    {
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateNetworkAsync(new NetworkCreateOptions { Name = "cni", ConfList = """{"cniVersion":"1.0.0","name":"cni","plugins":[]}""" }));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Equal("confList", e.JsonPath);
        Assert.Contains("CNI", e.Message);
        Assert.Empty(Hcn.Calls);
    }

    [Fact]
    public async Task A_taken_name_or_an_overlapping_subnet_is_refused()
    {
        await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web", Subnet = "10.50.0.0/16" });
        Assert.Equal(ErrorKind.AlreadyExists, (await Assert.ThrowsAsync<CartonException>(() => S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web" }))).Kind);
        var overlap = await Assert.ThrowsAsync<CartonException>(() => S.CreateNetworkAsync(new NetworkCreateOptions { Name = "other", Subnet = "10.50.3.0/24" }));
        Assert.Equal(ErrorKind.InvalidState, overlap.Kind);
        Assert.Contains("\"web\"", overlap.Message);
        Assert.Single(Hcn.Networks);
    }

    [Fact]
    public async Task A_name_HCN_already_has_is_AlreadyExists_from_HCN_and_leaves_no_record()
    {
        Hcn.Networks[Guid.NewGuid()] = new System.Text.Json.Nodes.JsonObject { ["Name"] = "nat" }; // made by Docker, say
        var e = await Assert.ThrowsAsync<HostComputeNetworkException>(() => S.CreateNetworkAsync(new NetworkCreateOptions { Name = "nat" }));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Equal("HCN_E_NETWORK_ALREADY_EXISTS", e.ErrorName);
        Assert.Contains("network \"nat\"", e.Message);
        Assert.Empty(_f.Records());
    }

    [Fact]
    public async Task An_HCN_failure_creating_a_network_is_typed_and_leaves_nothing()
    {
        Hcn.FailNext("HcnCreateNetwork", HcnErrorCodes.InvalidNetwork, """{"Success":false,"Error":"Invalid subnet","ErrorCode":2151350282}""");
        var e = await Assert.ThrowsAsync<HostComputeNetworkException>(() => S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web" }));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("HcnCreateNetwork", e.Operation);
        Assert.Contains("network \"web\"", e.Message);
        Assert.Contains("Invalid subnet", e.Message);
        Assert.Empty(_f.Records());
        Assert.Empty(Hcn.Networks);
        Assert.Empty(await S.ListNetworksAsync());
    }

    [Fact]
    public async Task A_network_whose_record_cannot_be_written_is_deleted_from_HCN_again()
    {
        Directory.CreateDirectory(Path.Combine(_f.Root, "networks", "web.json")); // the record's place is taken by a directory
        await Assert.ThrowsAnyAsync<Exception>(() => S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web" }));
        Assert.Equal(["HcnCreateNetwork", "HcnDeleteNetwork"], Hcn.Operations);
        Assert.Empty(Hcn.Networks);
    }

    [Fact]
    public async Task A_network_with_endpoints_is_not_deleted()
    {
        await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web" });
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions { Network = "web", Name = "api" });
        var e = await Assert.ThrowsAsync<CartonException>(() => S.DeleteNetworkAsync("web"));
        Assert.Equal(ErrorKind.InvalidState, e.Kind);
        Assert.Contains("(api)", e.Message);
        Assert.DoesNotContain(Hcn.Calls, c => c.Operation == "HcnDeleteNetwork");
        Assert.Contains(ep.Id, (await S.InspectNetworkAsync("web")).Endpoints);
    }

    [Fact]
    public async Task Deleting_a_network_HCN_has_forgotten_drops_the_record_but_other_HCN_failures_keep_it()
    {
        var net = await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web" });
        Hcn.FailNext("HcnDeleteNetwork", HcnErrorCodes.ManagerStopped);
        var e = await Assert.ThrowsAsync<HostComputeNetworkException>(() => S.DeleteNetworkAsync("web"));
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Contains("network \"web\"", e.Message);
        Assert.Single(await S.ListNetworksAsync());

        Hcn.Networks.Remove(HcnIds.GuidOf(net.Id)); // a reboot
        await S.DeleteNetworkAsync("web");
        Assert.Empty(await S.ListNetworksAsync());
    }

    [Fact]
    public async Task Unknown_networks_are_NotFound()
    {
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.InspectNetworkAsync("nope"))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.DeleteNetworkAsync("nope"))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(new EndpointCreateOptions { Network = "nope" }))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.ListEndpointsAsync("nope"))).Kind);
    }

    // ---------------------------------------------------------------- endpoints

    [Fact]
    public async Task Endpoints_create_list_inspect_attach_detach_delete()
    {
        await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web", Subnet = "172.31.0.0/24" });
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions { Network = "web", Name = "api", Aliases = ["v1"], Labels = new() { ["owner"] = "c1" } });
        Assert.Null(ep.IpAddress);
        Assert.Empty(Hcn.Endpoints); // HNS allocates at attach
        Assert.Equal(["v1"], (await S.InspectEndpointAsync(ep.Id[..10])).Aliases);
        Assert.Single(await S.ListEndpointsAsync("web"));
        Assert.Empty(await S.ListEndpointsAsync(null).ContinueWith(t => t.Result.Where(e => e.Network != "web").ToList()));

        var ns = await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "c1" });
        var attached = await S.AttachEndpointAsync(ep.Id, "c1");
        Assert.Equal("c1", attached.Namespace);
        Assert.Equal("172.31.0.2/24", attached.IpAddress);
        Assert.Equal("172.31.0.1", attached.Gateway);
        Assert.Matches("^00:15:5d:00:00:[0-9a-f]{2}$", attached.MacAddress);
        Assert.Null(attached.InterfaceName);
        Assert.Equal([ep.Id], (await S.InspectNamespaceAsync("c1")).Endpoints);
        Assert.Equal("172.31.0.2/24", (await S.InspectEndpointAsync(ep.Id)).IpAddress);
        var hcnNs = Hcn.Namespaces[HcnIds.NamespaceGuidOf(ns.Id)];
        Assert.Single(hcnNs["Resources"]!.AsArray());

        var detached = await S.DetachEndpointAsync(ep.Id);
        Assert.Null(detached.Namespace);
        Assert.Null(detached.IpAddress);
        Assert.Empty(Hcn.Endpoints);
        Assert.Empty((await S.InspectNamespaceAsync("c1")).Endpoints);
        Hcn.Calls.Clear();
        await S.DetachEndpointAsync(ep.Id); // detaching a detached endpoint does nothing
        Assert.Empty(Hcn.Calls);

        await S.AttachEndpointAsync(ep.Id, "c1"); // again, same GUID
        await S.DeleteEndpointAsync(ep.Id);
        Assert.Empty(Hcn.Endpoints);
        Assert.Empty(hcnNs["Resources"]!.AsArray());
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.InspectEndpointAsync(ep.Id))).Kind);
    }

    [Fact]
    public async Task Ports_become_PortMapping_policies_and_port_0_gets_a_free_host_port()
    {
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions { Ports = [new PortMapping { ContainerPort = 8080 }] });
        Assert.InRange(ep.Ports[0].HostPort, 1, 65535);
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "p1" });
        await S.AttachEndpointAsync(ep.Id, "p1");
        var policy = Assert.Single(Hcn.Endpoints[HcnIds.GuidOf(ep.Id)]["Policies"]!.AsArray())!;
        Assert.Equal("PortMapping", policy["Type"]!.GetValue<string>());
        Assert.Equal(ep.Ports[0].HostPort, policy["Settings"]!["ExternalPort"]!.GetValue<int>());
        Assert.Equal(8080, policy["Settings"]!["InternalPort"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_host_port_another_endpoint_publishes_is_refused_at_create()
    {
        var first = await S.CreateEndpointAsync(new EndpointCreateOptions { Name = "a", Ports = [new PortMapping { ContainerPort = 80 }] });
        var port = first.Ports[0].HostPort;
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(new EndpointCreateOptions { Name = "b", Ports = [new PortMapping { HostPort = port, ContainerPort = 81 }] }));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Contains($"host port {port}/tcp", e.Message);
        Assert.Contains("(a)", e.Message);
        Assert.Single(await S.ListEndpointsAsync());
    }

    [Fact]
    public async Task One_host_port_published_twice_in_a_request_is_refused()
    {
        using var probe = new TcpListener(IPAddress.Any, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(new EndpointCreateOptions
        {
            Ports = [new PortMapping { HostPort = port, ContainerPort = 80 }, new PortMapping { HostPort = port, ContainerPort = 81 }],
        }));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("ports[1].hostPort", e.JsonPath);
        Assert.Empty(await S.ListEndpointsAsync());
    }

    [Fact]
    public async Task A_host_port_a_host_process_holds_is_refused_at_create()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(new EndpointCreateOptions { Ports = [new PortMapping { HostPort = port, ContainerPort = 80 }] }));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Contains($":{port}/tcp is already in use", e.Message);
        Assert.Empty(await S.ListEndpointsAsync());
    }

    [Fact]
    public async Task A_port_HNS_refuses_at_attach_is_AlreadyExists_and_leaves_the_endpoint_detached()
    {
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions { Ports = [new PortMapping { ContainerPort = 80 }] });
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "n1" });
        Hcn.FailNext("HcnCreateEndpoint", HcnErrorCodes.PortAlreadyExists, """{"Success":false,"Error":"The specified port already exists.","ErrorCode":2151350291}""");
        var e = await Assert.ThrowsAsync<HostComputeNetworkException>(() => S.AttachEndpointAsync(ep.Id, "n1"));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Equal("HCN_E_PORT_ALREADY_EXISTS", e.ErrorName);
        Assert.Contains(ep.Id[..12], e.Message);
        Assert.Null((await S.InspectEndpointAsync(ep.Id)).Namespace);
        Assert.Empty(Hcn.Endpoints);
    }

    [Fact]
    public async Task A_failed_namespace_add_deletes_the_endpoint_it_made()
    {
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions());
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "n2" });
        Hcn.Calls.Clear();
        Hcn.FailNext("HcnModifyNamespace", HcnErrorCodes.EndpointAlreadyAttached);
        var e = await Assert.ThrowsAsync<HostComputeNetworkException>(() => S.AttachEndpointAsync(ep.Id, "n2"));
        Assert.Equal(ErrorKind.InvalidState, e.Kind);
        Assert.Contains("namespace n2", e.Message);
        Assert.Equal(["HcnCreateEndpoint", "HcnModifyNamespace", "HcnDeleteEndpoint"], Hcn.Operations);
        Assert.Empty(Hcn.Endpoints);
        var after = await S.InspectEndpointAsync(ep.Id);
        Assert.Null(after.Namespace);
        Assert.Null(after.IpAddress);
        // and the endpoint attaches fine afterwards
        Assert.Equal("n2", (await S.AttachEndpointAsync(ep.Id, "n2")).Namespace);
    }

    [Fact]
    public async Task A_network_HNS_dropped_is_made_again_from_the_record_at_attach()
    {
        var net = await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "web" });
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions { Network = "web" });
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "r1" });
        Hcn.Networks.Clear(); // a reboot
        Hcn.Calls.Clear();
        var attached = await S.AttachEndpointAsync(ep.Id, "r1");
        Assert.Equal(["HcnCreateEndpoint", "HcnCreateNetwork", "HcnCreateEndpoint", "HcnModifyNamespace"], Hcn.Operations);
        Assert.True(Hcn.Networks.ContainsKey(HcnIds.GuidOf(net.Id)));
        Assert.NotNull(attached.IpAddress);
    }

    [Fact]
    public async Task Attaching_twice_is_InvalidState_and_unknown_objects_are_NotFound()
    {
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions());
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "a1" });
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "a2" });
        await S.AttachEndpointAsync(ep.Id, "a1");
        var twice = await Assert.ThrowsAsync<CartonException>(() => S.AttachEndpointAsync(ep.Id, "a2"));
        Assert.Equal(ErrorKind.InvalidState, twice.Kind);
        Assert.Contains("namespace a1", twice.Message);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.AttachEndpointAsync(ep.Id, "nope"))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.AttachEndpointAsync("abcdef", "a1"))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.InspectEndpointAsync("../x"))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.DeleteEndpointAsync("0123"))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.InspectNamespaceAsync("nope"))).Kind);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => S.DeleteNamespaceAsync("nope"))).Kind);
    }

    [Fact]
    public async Task Endpoint_names_and_aliases_are_unique_per_network()
    {
        await S.CreateEndpointAsync(new EndpointCreateOptions { Name = "api", Aliases = ["v1"] });
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(new EndpointCreateOptions { Name = "V1" }));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Contains("\"V1\"", e.Message);
        await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "other" });
        await S.CreateEndpointAsync(new EndpointCreateOptions { Network = "other", Name = "api" }); // another network: fine
    }

    [Theory]
    [InlineData("name", "bad name", null, null, null)]
    [InlineData("aliases[0]", null, "-x", null, null)]
    [InlineData("macAddress", null, null, "02-42-ac-11-00-02", null)]
    [InlineData("ipAddress", null, null, null, "10.89.0.1")]   // the gateway
    [InlineData("ipAddress", null, null, null, "10.90.0.5")]   // outside the subnet
    [InlineData("ipAddress", null, null, null, "10.89.0.255")] // broadcast
    [InlineData("ports[0].containerPort", null, null, null, null)]
    public async Task Invalid_endpoint_options_name_their_field(string field, string? name, string? alias, string? mac, string? ip)
    {
        var options = new EndpointCreateOptions { Name = name, Aliases = alias is null ? null : [alias], MacAddress = mac, IpAddress = ip };
        if (field.StartsWith("ports", StringComparison.Ordinal)) options.Ports = [new PortMapping { ContainerPort = 0 }];
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(options));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(field, e.JsonPath);
        Assert.Empty(await S.ListEndpointsAsync());
    }

    [Fact]
    public async Task A_requested_address_is_held_by_one_endpoint()
    {
        await S.CreateEndpointAsync(new EndpointCreateOptions { IpAddress = "10.89.0.7" });
        Assert.Equal(ErrorKind.AlreadyExists, (await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(new EndpointCreateOptions { IpAddress = "10.89.0.7" }))).Kind);
    }

    [Fact]
    public async Task An_internal_network_publishes_no_ports_and_gives_no_gateway()
    {
        await S.CreateNetworkAsync(new NetworkCreateOptions { Name = "back", Internal = true });
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateEndpointAsync(new EndpointCreateOptions { Network = "back", Ports = [new PortMapping { ContainerPort = 80 }] }));
        Assert.Equal("ports", e.JsonPath);
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions { Network = "back" });
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "i1" });
        var attached = await S.AttachEndpointAsync(ep.Id, "i1");
        Assert.NotNull(attached.IpAddress);
        Assert.Null(attached.Gateway);
    }

    // ---------------------------------------------------------------- namespaces

    [Fact]
    public async Task Namespaces_create_list_inspect_delete_detaching_their_endpoints()
    {
        var ns = await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "box.1", Hostname = "box", Labels = new() { ["k"] = "v" } });
        Assert.Equal("box", ns.Hostname);
        Assert.Equal("", ns.HostsPath);
        Assert.Equal("", ns.ResolvConfPath);
        Assert.Equal("", ns.HostnamePath);
        Assert.Equal(HcnIds.NamespaceGuidOf("box.1").ToString("D"), ns.Path);
        var generated = await S.CreateNamespaceAsync(new NamespaceCreateOptions());
        Assert.Equal(generated.Id[..12], generated.Hostname);
        Assert.Equal(HcnIds.GuidOf(generated.Id), HcnIds.NamespaceGuidOf(generated.Id));
        Assert.Equal(new[] { "box.1", generated.Id }.Order(StringComparer.Ordinal), (await S.ListNamespacesAsync()).Select(n => n.Id));

        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions());
        await S.AttachEndpointAsync(ep.Id, "box.1");
        Hcn.Calls.Clear();
        await S.DeleteNamespaceAsync("box.1");
        Assert.Equal(["HcnModifyNamespace", "HcnDeleteEndpoint", "HcnDeleteNamespace"], Hcn.Operations);
        Assert.Null((await S.InspectEndpointAsync(ep.Id)).Namespace); // the endpoint stays, detached
        Assert.Single(await S.ListNamespacesAsync());
        Assert.Single(Hcn.Namespaces);
    }

    [Fact]
    public async Task A_namespace_id_is_taken_once()
    {
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "dup" });
        Assert.Equal(ErrorKind.AlreadyExists, (await Assert.ThrowsAsync<CartonException>(() => S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "dup" }))).Kind);
        Assert.Single(Hcn.Namespaces);
    }

    [Theory]
    [InlineData("id", ".hidden", null, null)]
    [InlineData("id", "a/b", null, null)]
    [InlineData("hostname", "ok", "bad host", null)]
    [InlineData("dns[0]", "ok", null, "dns.example")]
    public async Task Invalid_namespace_options_name_their_field(string field, string id, string? hostname, string? dns)
    {
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = id, Hostname = hostname, Dns = dns is null ? null : [dns] }));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(field, e.JsonPath);
        Assert.Empty(Hcn.Calls);
    }

    [Fact]
    public async Task Extra_hosts_are_Unsupported_on_Windows()
    {
        var e = await Assert.ThrowsAsync<CartonException>(() => S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "h", ExtraHosts = ["db:10.0.0.5"] }));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Equal("extraHosts", e.JsonPath);
        Assert.Empty(Hcn.Calls);
    }

    [Fact]
    public async Task An_HCN_failure_creating_a_namespace_is_typed_and_leaves_no_record()
    {
        Hcn.FailNext("HcnCreateNamespace", HcnErrorCodes.AccessDenied);
        var e = await Assert.ThrowsAsync<HostComputeNetworkException>(() => S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "x1" }));
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("namespace x1", e.Message);
        Assert.Empty(await S.ListNamespacesAsync());
        Assert.Empty(_f.Records());
    }

    [Fact]
    public async Task A_detach_HCN_refuses_keeps_the_endpoint_attached_in_the_record()
    {
        var ep = await S.CreateEndpointAsync(new EndpointCreateOptions());
        await S.CreateNamespaceAsync(new NamespaceCreateOptions { Id = "d1" });
        await S.AttachEndpointAsync(ep.Id, "d1");
        Hcn.FailNext("HcnModifyNamespace", HcnErrorCodes.ManagerStopped);
        var e = await Assert.ThrowsAsync<HostComputeNetworkException>(() => S.DetachEndpointAsync(ep.Id));
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Equal("d1", (await S.InspectEndpointAsync(ep.Id)).Namespace);
        // a namespace HNS has forgotten (a reboot) does not stop the detach
        Hcn.Namespaces.Clear();
        Hcn.Endpoints[HcnIds.GuidOf(ep.Id)].Remove("HostComputeNamespace");
        Assert.Null((await S.DetachEndpointAsync(ep.Id)).Namespace);
        Assert.Empty(Hcn.Endpoints);
    }

    [Fact]
    public void Only_Windows_gets_the_real_HCN()
    {
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(ErrorKind.Unsupported, Assert.Throws<CartonException>(() => WindowsNetworkService.ForThisHost()).Kind);
    }
}
