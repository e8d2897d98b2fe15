using Carton.Network.Linux;

namespace Carton.Network.Tests.Linux;

/// <summary>
/// The network service's networks and endpoints as records, in-process on temporary roots: what needs no plugin run
/// and no namespace (those are tested end to end through the daemon, inside a namespace of the test's own, in
/// Carton.Service.Tests/NetworkThroughDaemonTests).
/// </summary>
public sealed class NetworkServiceRecordTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "carton-netsvc-" + Guid.NewGuid().ToString("N")[..8]);

    private NetworkServiceOptions Options(IReadOnlyList<string>? plugins = null) => new()
    {
        StateRoot = Path.Combine(_dir, "state"), RunRoot = Path.Combine(_dir, "run"), NetnsDirectory = Path.Combine(_dir, "netns"),
        PluginDirectories = plugins ?? NetworkDefaults.PluginDirectories, SubnetPool = "10.231.0.0/16",
    };

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (DirectoryNotFoundException) { }
    }


    [DebianPluginsFact]
    public async Task Networks_AreMadeListedAndRemoved_AndPersistAcrossInstances()
    {
        using (var svc = new NetworkService(Options()))
        {
            var a = await svc.CreateNetworkAsync(new NetworkCreateOptions { Name = "alpha" });
            var b = await svc.CreateNetworkAsync(new NetworkCreateOptions { Name = "beta", Subnet = "10.232.5.0/24", Gateway = "10.232.5.254", Internal = true });
            Assert.Equal("10.231.0.0/24", a.Subnet);  // the pool's first free /24
            Assert.Equal("10.231.0.1", a.Gateway);
            Assert.StartsWith("cbr-", a.Bridge);
            Assert.Equal("10.232.5.254", b.Gateway);
            Assert.True(b.Internal);
            var c = await svc.CreateNetworkAsync(new NetworkCreateOptions { Name = "gamma" });
            Assert.Equal("10.231.1.0/24", c.Subnet); // the next one: never a subnet twice
            var e = await Assert.ThrowsAsync<CartonException>(() => svc.CreateNetworkAsync(new NetworkCreateOptions { Name = "alpha" }));
            Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        }
        using (var again = new NetworkService(Options()))
        {
            Assert.Equal(["alpha", "beta", "gamma"], (await again.ListNetworksAsync()).Select(n => n.Name).Order());
            var byId = await again.InspectNetworkAsync((await again.InspectNetworkAsync("beta")).Id[..12]);
            Assert.Equal("beta", byId.Name);
            await again.DeleteNetworkAsync("beta");
            var e = await Assert.ThrowsAsync<CartonException>(() => again.InspectNetworkAsync("beta"));
            Assert.Equal(ErrorKind.NotFound, e.Kind);
            Assert.Contains("\"beta\"", e.Message);
        }
    }

    [DebianPluginsFact]
    public async Task TheDefaultNetwork_IsMadeOnFirstUse()
    {
        using var svc = new NetworkService(Options());
        Assert.Empty(await svc.ListNetworksAsync());
        var d = await svc.InspectNetworkAsync(NetworkDefaults.DefaultNetworkName);
        Assert.Equal("carton0", d.Bridge);
        var ep = await svc.CreateEndpointAsync(new EndpointCreateOptions { Name = "x" });
        Assert.Equal(NetworkDefaults.DefaultNetworkName, ep.Network);
        Assert.Single(await svc.ListNetworksAsync());
        var e = await Assert.ThrowsAsync<CartonException>(() => svc.DeleteNetworkAsync(NetworkDefaults.DefaultNetworkName));
        Assert.Equal(ErrorKind.InvalidState, e.Kind); // it has an endpoint
        await svc.DeleteEndpointAsync(ep.Id);
        await svc.DeleteNetworkAsync(NetworkDefaults.DefaultNetworkName);
    }

    [Theory]
    [InlineData("bad name", null, null, false, "name")]
    [InlineData("-dash", null, null, false, "name")]
    [InlineData("n1", "10.234.0.1/24", null, false, "subnet")]
    [InlineData("n1", "10.234.0.0/24", "10.234.1.1", false, "gateway")]
    [InlineData("n1", "10.234.0.0/24", "10.234.0.255", false, "gateway")]
    [InlineData("n1", "10.234.0.0/24", "nope", false, "gateway")]
    public async Task InvalidNetworks_NameTheField(string name, string? subnet, string? gateway, bool @internal, string field)
    {
        using var svc = new NetworkService(Options());
        var e = await Assert.ThrowsAsync<CartonException>(() => svc.CreateNetworkAsync(new NetworkCreateOptions { Name = name, Subnet = subnet, Gateway = gateway, Internal = @internal }));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(field, e.JsonPath);
        Assert.Empty(await svc.ListNetworksAsync());
    }

    [Fact]
    public async Task AUserConfList_MustBeNamedAfterTheNetwork_AndItsPluginsMustExist()
    {
        var plugins = Path.Combine(_dir, "plugins");
        Directory.CreateDirectory(plugins);
        using var svc = new NetworkService(Options([plugins]));
        var e = await Assert.ThrowsAsync<CartonException>(() => svc.CreateNetworkAsync(new NetworkCreateOptions
        {
            Name = "mine", ConfList = """{"cniVersion":"1.0.0","name":"other","plugins":[{"type":"bridge"}]}""",
        }));
        Assert.Equal("confList", e.JsonPath);
        e = await Assert.ThrowsAsync<CartonException>(() => svc.CreateNetworkAsync(new NetworkCreateOptions
        {
            Name = "mine", ConfList = """{"cniVersion":"1.0.0","name":"mine","plugins":[{"type":"bridge"}]}""",
        }));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("\"bridge\"", e.Message);
        Assert.Contains(plugins, e.Message);
        // Carton's own bridge network needs the Debian plugins too
        e = await Assert.ThrowsAsync<CartonException>(() => svc.CreateNetworkAsync(new NetworkCreateOptions { Name = "mine" }));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Empty(await svc.ListNetworksAsync());
    }

    [DebianPluginsFact]
    public async Task InvalidEndpoints_NameTheField_AndReserveNothing()
    {
        using var svc = new NetworkService(Options());
        await svc.CreateNetworkAsync(new NetworkCreateOptions { Name = "web", Subnet = "10.233.0.0/24" });
        await svc.CreateNetworkAsync(new NetworkCreateOptions { Name = "closed", Subnet = "10.233.1.0/24", Internal = true });
        async Task<CartonException> Bad(EndpointCreateOptions o) => await Assert.ThrowsAsync<CartonException>(() => svc.CreateEndpointAsync(o));
        Assert.Equal("name", (await Bad(new() { Network = "web", Name = "no spaces" })).JsonPath);
        Assert.Equal("aliases[1]", (await Bad(new() { Network = "web", Aliases = ["ok", "a/b"] })).JsonPath);
        Assert.Equal("ipAddress", (await Bad(new() { Network = "web", IpAddress = "10.233.9.9" })).JsonPath);
        Assert.Equal("ipAddress", (await Bad(new() { Network = "web", IpAddress = "10.233.0.255" })).JsonPath);
        Assert.Equal("macAddress", (await Bad(new() { Network = "web", MacAddress = "zz:00:00:00:00:00" })).JsonPath);
        Assert.Equal("ports[0].containerPort", (await Bad(new() { Network = "web", Ports = [new PortMapping { ContainerPort = 0 }] })).JsonPath);
        Assert.Equal("ports[0].protocol", (await Bad(new() { Network = "web", Ports = [new PortMapping { ContainerPort = 1, Protocol = "sctp" }] })).JsonPath);
        Assert.Equal("ports", (await Bad(new() { Network = "closed", Ports = [new PortMapping { ContainerPort = 80 }] })).JsonPath);
        Assert.Equal(ErrorKind.NotFound, (await Bad(new() { Network = "nope" })).Kind);
        Assert.Empty(await svc.ListEndpointsAsync());
        // names and aliases are unique on a network, not across networks
        var first = await svc.CreateEndpointAsync(new() { Network = "web", Name = "db", Aliases = ["database"] });
        Assert.Equal(ErrorKind.AlreadyExists, (await Bad(new() { Network = "web", Name = "DB" })).Kind);
        Assert.Equal(ErrorKind.AlreadyExists, (await Bad(new() { Network = "web", Name = "x", Aliases = ["database"] })).Kind);
        var elsewhere = await svc.CreateEndpointAsync(new() { Network = "closed", Name = "db" });
        await svc.DeleteEndpointAsync(first.Id);
        await svc.DeleteEndpointAsync(elsewhere.Id);
    }

    [Fact]
    public async Task Namespaces_RefuseBadIdsAndDocuments_BeforeMakingAnything()
    {
        using var svc = new NetworkService(Options());
        async Task<CartonException> Bad(NamespaceCreateOptions o) => await Assert.ThrowsAsync<CartonException>(() => svc.CreateNamespaceAsync(o));
        Assert.Equal("id", (await Bad(new() { Id = "../x" })).JsonPath);
        Assert.Equal("hostname", (await Bad(new() { Id = "ok", Hostname = "bad host" })).JsonPath);
        Assert.Equal("dns[0]", (await Bad(new() { Id = "ok", Dns = ["not-an-ip"] })).JsonPath);
        Assert.Equal("extraHosts[0]", (await Bad(new() { Id = "ok", ExtraHosts = ["noip"] })).JsonPath);
        Assert.Empty(await svc.ListNamespacesAsync());
        Assert.False(Directory.Exists(Path.Combine(_dir, "netns")) && Directory.EnumerateFileSystemEntries(Path.Combine(_dir, "netns")).Any());
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => svc.InspectNamespaceAsync("ghost"))).Kind);
    }
}

/// <summary>A test that needs Debian's containernetworking-plugins in /usr/lib/cni (scripts/install-deps.sh installs
/// them); skipped with that reason otherwise, never passed silently.</summary>
public sealed class DebianPluginsFactAttribute : FactAttribute
{
    public DebianPluginsFactAttribute()
    {
        if (!File.Exists("/usr/lib/cni/bridge")) Skip = "/usr/lib/cni/bridge missing: apt-get install containernetworking-plugins";
    }
}
