using Carton.Network.Cni;
using Carton.Network.Linux;

namespace Carton.Network.Tests.Linux;

/// <summary>The network service's pure parts: subnets, the host's routes, the conflist Carton writes, the namespace files.</summary>
public sealed class NetworkPartsTests
{
    [Theory]
    [InlineData("10.89.0.0/24", true, "")]
    [InlineData("10.89.0.1/24", false, "host bits")]
    [InlineData("10.89.0.0", false, "CIDR")]
    [InlineData("10.89.0.0/31", false, "8 to 30")]
    [InlineData("10.89.0.0/7", false, "8 to 30")]
    [InlineData("fd00::/64", false, "IPv4")]
    [InlineData("10.89/16", false, "IPv4")]
    public void Subnets_ParseOnlyNetworkAddresses(string text, bool ok, string why)
    {
        Assert.Equal(ok, Ipv4Subnet.TryParse(text, out var s, out var reason));
        if (ok) Assert.Equal(text, s.ToString());
        else Assert.Contains(why, reason);
    }

    [Fact]
    public void Subnets_Overlap_WhenOneHoldsTheOther()
    {
        Ipv4Subnet.TryParse("10.0.0.0/8", out var big, out _);
        Ipv4Subnet.TryParse("10.89.3.0/24", out var small, out _);
        Ipv4Subnet.TryParse("10.90.0.0/24", out var other, out _);
        Ipv4Subnet.TryParse("192.168.0.0/16", out var far, out _);
        Assert.True(big.Overlaps(small));
        Assert.True(small.Overlaps(big));
        Assert.False(small.Overlaps(other));
        Assert.False(big.Overlaps(far));
        Assert.Equal("10.89.3.255", Ipv4Subnet.Format(small.Broadcast));
    }

    [Fact]
    public void HostRoutes_ReadProcNetRoute_SkippingTheDefault()
    {
        var f = Path.GetTempFileName();
        try
        {
            File.WriteAllText(f, """
                Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
                eth0	00000000	0100A8C0	0003	0	0	0	00000000	0	0	0
                eth0	0000A8C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
                docker0	000011AC	00000000	0001	0	0	0	0000FFFF	0	0	0
                """.Replace("                ", ""));
            var routes = HostRoutes.Read(f);
            Assert.Equal(["192.168.0.0/24", "172.17.0.0/16"], routes.Select(r => r.ToString()));
        }
        finally { File.Delete(f); }
    }

    [Fact]
    public void TheBridgeConfList_ChainsTheDebianPlugins_AndAnInternalOneHasNoWayOut()
    {
        Ipv4Subnet.TryParse("10.89.7.0/24", out var subnet, out _);
        var open = CniConfigList.Parse(BridgeConfList.Build("web", "cbr-1", subnet, "10.89.7.1", isInternal: false, "/run/x/ipam"), "test");
        // no firewall plugin: the network's forward rules do its work once per network (NetworkForwarding)
        Assert.Equal(["bridge", "portmap"], open.Plugins.Select(p => p.Type));
        Assert.Equal("web", open.Name);
        Assert.True(open.Plugins[1].Capabilities["portMappings"]);
        var bridge = open.Plugins[0].Raw;
        Assert.True(bridge["isGateway"]!.GetValue<bool>());
        Assert.False(bridge["ipMasq"]!.GetValue<bool>()); // one rule per network instead (NetworkMasquerade)
        Assert.Equal("0.0.0.0/0", bridge["ipam"]!["routes"]![0]!["dst"]!.GetValue<string>());
        Assert.Equal("/run/x/ipam", bridge["ipam"]!["dataDir"]!.GetValue<string>());

        var closed = CniConfigList.Parse(BridgeConfList.Build("int", "cbr-2", subnet, "10.89.7.1", isInternal: true, "/run/x/ipam"), "test");
        Assert.Equal(["bridge"], closed.Plugins.Select(p => p.Type));
        Assert.False(closed.Plugins[0].Raw["isGateway"]!.GetValue<bool>());
        Assert.False(closed.Plugins[0].Raw["ipMasq"]!.GetValue<bool>());
        Assert.Null(closed.Plugins[0].Raw["ipam"]!["routes"]);
    }

    [Fact]
    public void AnEndpointThatPublishesNothing_RunsNoPortmap_ButAUsersListRunsAsGiven()
    {
        Ipv4Subnet.TryParse("10.89.7.0/24", out var subnet, out _);
        var json = BridgeConfList.Build("web", "cbr-1", subnet, "10.89.7.1", isInternal: false, "/run/x/ipam");
        Assert.Equal(["bridge"], BridgeConfList.ForEndpoint(json, "bridge", publishes: false, "t").Plugins.Select(p => p.Type));
        Assert.Equal(["bridge", "portmap"], BridgeConfList.ForEndpoint(json, "bridge", publishes: true, "t").Plugins.Select(p => p.Type));
        Assert.Equal(["bridge", "portmap"], BridgeConfList.ForEndpoint(json, "cni", publishes: false, "t").Plugins.Select(p => p.Type));
        // a network stored before the forward rules keeps its firewall plugin, and runs it
        var stored = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        stored["plugins"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["type"] = "firewall", ["backend"] = "iptables" });
        var old = stored.ToJsonString();
        Assert.Equal(["bridge", "firewall"], BridgeConfList.ForEndpoint(old, "bridge", publishes: false, "t").Plugins.Select(p => p.Type));
    }

    [Fact]
    public void Hosts_NameItself_ItsPeers_AndExtraHosts()
    {
        var text = NamespaceFiles.Hosts("web1",
            own: [new("10.89.0.2", ["web1", "www"])],
            others: [new("10.89.0.3", ["db", "database"]), new("10.89.0.9", [])],
            extraHosts: ["gw:10.0.0.1"]);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("127.0.0.1\tlocalhost", lines[0]);
        Assert.Contains("10.89.0.2\tweb1 www", lines);
        Assert.Contains("10.89.0.3\tdb database", lines);
        Assert.Contains("10.0.0.1\tgw", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("10.89.0.9", StringComparison.Ordinal)); // a peer without a name
        // no endpoint yet: the hostname still resolves
        Assert.Contains("127.0.1.1\tlone", NamespaceFiles.Hosts("lone", [], [], []));
    }

    [Fact]
    public void ResolvConf_DropsTheHostsLoopbackServers_OrTakesTheGivenOnes()
    {
        var host = Path.GetTempFileName();
        try
        {
            File.WriteAllText(host, "nameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch corp.example\noptions edns0\n");
            var copied = NamespaceFiles.ResolvConf(null, null, null, host);
            Assert.Equal("nameserver 10.1.1.1\nsearch corp.example\noptions edns0\n", copied);
            var given = NamespaceFiles.ResolvConf(["192.0.2.53"], ["a.example"], ["ndots:2"], host);
            Assert.Equal("nameserver 192.0.2.53\nsearch a.example\noptions ndots:2\n", given);
        }
        finally { File.Delete(host); }
    }

    [Fact]
    public void WriteInPlace_KeepsTheInode_SoABindMountSeesTheNewContent()
    {
        var f = Path.GetTempFileName();
        try
        {
            File.WriteAllText(f, "a long first content\n");
            var before = Inode(f);
            NamespaceFiles.WriteInPlace(f, "short\n");
            Assert.Equal("short\n", File.ReadAllText(f));
            Assert.Equal(before, Inode(f));
        }
        finally { File.Delete(f); }
    }

    private static string Inode(string path)
    {
        var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return o.Trim();
    }
}
