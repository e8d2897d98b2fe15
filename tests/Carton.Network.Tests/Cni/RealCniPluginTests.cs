using System.Net;
using System.Text.Json.Nodes;
using Carton.Network.Cni;
using Xunit.Abstractions;

namespace Carton.Network.Tests.Cni;

/// <summary>
/// The runtime against Debian's containernetworking-plugins (bridge, host-local, portmap, firewall), run through
/// nsenter inside a throwaway network namespace: no interface, bridge or rule is made in the host's, and no packet
/// is sent anywhere.
/// </summary>
public sealed class RealCniPluginTests(ITestOutputHelper output) : IDisposable
{
    private readonly RealCniNamespaces _ns = new();
    private readonly int _octet = Random.Shared.Next(1, 250);
    private readonly string _bridge = "cct" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => _ns.Dispose();

    private CniRuntime Runtime() => new(new CniRuntimeOptions
    {
        PluginDirectories = ["/usr/lib/cni"],
        CacheDirectory = Path.Combine(_ns.Root, "cache"),
        PluginTimeout = TimeSpan.FromSeconds(60),
        CommandPrefix = _ns.Prefix,
    });

    private CniConfigList List(string range)
    {
        var firewall = RealCniNamespaces.FindTool("iptables") is null ? "" : """,{"type":"firewall","backend":"iptables"}""";
        return CniConfigList.Parse($$"""
            {
              "cniVersion": "1.0.0",
              "name": "carton-cni-test",
              "plugins": [
                {
                  "type": "bridge", "bridge": "{{_bridge}}", "isGateway": true, "ipMasq": false,
                  "ipam": { "type": "host-local", "dataDir": "{{_ns.Root}}/ipam", "ranges": [[ {{range}} ]] }
                },
                { "type": "portmap", "capabilities": { "portMappings": true } }{{firewall}}
              ]
            }
            """, "network carton-cni-test");
    }

    // Debian's portmap 1.1.1 fails CHECK of an IPv4-only attachment with published ports ("could not check ipv6
    // dnat: chain CNI-DN-... not found"), fixed in later releases: the CHECK scenario publishes none.
    private static CniRuntimeConfig Rt(string id, string netns, bool publish = false) => new()
    {
        ContainerId = id,
        NetnsPath = netns,
        IfName = "eth0",
        CapabilityArgs = publish
            ? new Dictionary<string, JsonNode?> { ["portMappings"] = JsonNode.Parse("""[{"hostPort":18080,"containerPort":80,"protocol":"tcp"}]""") }
            : new Dictionary<string, JsonNode?>(),
    };

    private List<string> OuterVeths() => RealCniNamespaces.Links(_ns.Outer).Where(l => l.StartsWith("veth", StringComparison.Ordinal)).ToList();

    private static bool InSubnet(string cidr, string subnet)
    {
        var ip = IPAddress.Parse(cidr.Split('/')[0]);
        return IPNetwork.Parse(subnet).Contains(ip);
    }

    [RealCniFact]
    public async Task AddCheckDeleteAndAddAgain()
    {
        var subnet = $"10.250.{_octet}.0/24";
        var list = List($$"""{ "subnet": "{{subnet}}" }""");
        var rt = Runtime();
        var c1 = _ns.Container("1");

        var result = await rt.AddAsync(list, Rt("c1", c1));

        var ip = Assert.Single(result.Ips);
        Assert.True(InSubnet(ip.Address, subnet), $"{ip.Address} is not in {subnet}");
        Assert.Equal($"10.250.{_octet}.1", ip.Gateway);
        Assert.Contains(result.Interfaces, i => i.Name == "eth0" && i.Sandbox == c1);
        Assert.Contains("eth0", RealCniNamespaces.Links(Path.GetFileName(c1)));
        Assert.Single(OuterVeths());
        Assert.Contains(_bridge, RealCniNamespaces.Links(_ns.Outer));
        Assert.DoesNotContain(_bridge, RealCniNamespaces.Links(null));
        Assert.NotNull(rt.GetCached("carton-cni-test", "c1", "eth0"));

        await rt.CheckAsync(list, Rt("c1", c1));

        // DEL from a new runtime without the list: the cache has both.
        await Runtime().DeleteAsync(null, Rt("c1", c1));
        Assert.Empty(OuterVeths());
        Assert.DoesNotContain("eth0", RealCniNamespaces.Links(Path.GetFileName(c1)));
        Assert.Null(rt.GetCached("carton-cni-test", "c1", "eth0"));

        var c2 = _ns.Container("2");
        var again = await rt.AddAsync(list, Rt("c2", c2));
        Assert.True(InSubnet(Assert.Single(again.Ips).Address, subnet));
        await rt.DeleteAsync(list, Rt("c2", c2));
        Assert.Empty(OuterVeths());
    }

    [RealCniFact]
    public async Task AnExhaustedRangeIsResourceExhaustedAndLeavesNothing()
    {
        // One address: .1 is the gateway, .2 the only one to give.
        var list = List($$"""{ "subnet": "10.250.{{_octet}}.0/30", "rangeStart": "10.250.{{_octet}}.2", "rangeEnd": "10.250.{{_octet}}.2" }""");
        var rt = Runtime();
        var c1 = _ns.Container("1");
        var c2 = _ns.Container("2");
        var first = await rt.AddAsync(list, Rt("c1", c1, publish: true));
        Assert.Equal($"10.250.{_octet}.2/30", Assert.Single(first.Ips).Address);

        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(list, Rt("c2", c2, publish: true)));

        output.WriteLine(e.Message);
        Assert.Equal(ErrorKind.ResourceExhausted, e.Kind);
        Assert.Equal("bridge", e.Plugin);
        Assert.Equal("ADD", e.Command);
        Assert.Contains("no IP addresses available", e.Message);
        Assert.StartsWith("network \"carton-cni-test\": plugin \"bridge\" (ADD): ", e.Message);
        Assert.Single(OuterVeths());
        Assert.DoesNotContain("eth0", RealCniNamespaces.Links(Path.GetFileName(c2)));
        Assert.Null(rt.GetCached("carton-cni-test", "c2", "eth0"));
        var reserved = Directory.GetFiles(Path.Combine(_ns.Root, "ipam", "carton-cni-test")).Select(Path.GetFileName)
            .Where(f => f!.StartsWith("10.", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"10.250.{_octet}.2"], reserved);

        await rt.DeleteAsync(list, Rt("c1", c1));
        Assert.Empty(OuterVeths());
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_ns.Root, "ipam", "carton-cni-test")), f => Path.GetFileName(f).StartsWith("10.", StringComparison.Ordinal));
    }
}
