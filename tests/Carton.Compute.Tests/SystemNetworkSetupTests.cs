using Carton.Compute.Linux;
using Carton.Network;

namespace Carton.Compute.Tests;

/// <summary>What an HCS document's Networking asks of the network service (issue 12), and what it leaves to the translator.</summary>
public sealed class SystemNetworkSetupTests
{
    private static SystemNetworking? From(HcsNetworking? n, string? host = null) =>
        SystemNetworkSetup.FromHcs(new HcsContainer { Networking = n, HostName = host });

    [Fact]
    public void None_Host_AndPaths_AreTheTranslators()
    {
        Assert.Null(From(null));
        Assert.Null(From(new HcsNetworking()));
        Assert.Null(From(new HcsNetworking { Namespace = "none" }));
        Assert.Null(From(new HcsNetworking { Namespace = "host" }));
        Assert.Null(From(new HcsNetworking { Namespace = "/run/netns/x" }));
    }

    [Fact]
    public void ANetwork_WithPortsAndDns_MakesOneEndpoint()
    {
        var n = From(new HcsNetworking
        {
            Network = "web", Ports = [new PortMapping { ContainerPort = 80 }], DnsServerList = ["10.0.0.53"], DnsSearchList = "a.example, b.example",
        }, host: "h1")!;
        Assert.Equal("web", Assert.Single(n.Networks!).Network);
        Assert.Equal(80, Assert.Single(n.Ports!).ContainerPort);
        Assert.Equal(["10.0.0.53"], n.Dns);
        Assert.Equal(["a.example", "b.example"], n.DnsSearch);
        Assert.Equal("h1", n.Hostname);
        Assert.Null(n.Namespace);
    }

    [Fact]
    public void PortsAlone_UseTheDefaultNetwork_AndAdaptersAreAttached()
    {
        Assert.Equal("", Assert.Single(From(new HcsNetworking { Ports = [new PortMapping { ContainerPort = 80 }] })!.Networks!).Network);
        var adapters = From(new HcsNetworking { NetworkAdapters = ["e1", "e2"] })!;
        Assert.Null(adapters.Networks);
        Assert.Equal(["e1", "e2"], adapters.Endpoints);
    }

    [Fact]
    public void ANamespaceId_JoinsAPod()
    {
        var n = From(new HcsNetworking { Namespace = "pod-1" })!;
        Assert.Equal("pod-1", n.Namespace);
    }

    [Fact]
    public void HostOrAPath_WithEndpoints_IsRefused_NamingTheField()
    {
        var e = Assert.Throws<InvalidComputeDocumentException>(() => From(new HcsNetworking { Namespace = "host", Network = "web" }));
        Assert.Equal("Container.Networking.Namespace", e.JsonPath);
        e = Assert.Throws<InvalidComputeDocumentException>(() => From(new HcsNetworking { Namespace = "/run/netns/x", NetworkAdapters = ["e"] }));
        Assert.Equal("Container.Networking.Namespace", e.JsonPath);
    }
}
