using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

public sealed class CniResultTests
{
    [Fact]
    public void Parses100()
    {
        var r = CniResult.Parse("""
            {"cniVersion":"1.0.0",
             "interfaces":[{"name":"cni0","mac":"aa:bb:cc:dd:ee:ff"},{"name":"eth0","mac":"11:22:33:44:55:66","sandbox":"/run/netns/x"}],
             "ips":[{"address":"10.88.0.5/16","gateway":"10.88.0.1","interface":1},{"address":"fd00::5/64"}],
             "routes":[{"dst":"0.0.0.0/0"},{"dst":"10.0.0.0/8","gw":"10.88.0.254"}],
             "dns":{"nameservers":["10.88.0.1"],"domain":"example.org","search":["a.example.org"],"options":["ndots:2"]}}
            """, "t");
        Assert.Equal("1.0.0", r.CniVersion);
        Assert.Equal(["cni0", "eth0"], r.Interfaces.Select(i => i.Name));
        Assert.Null(r.Interfaces[0].Sandbox);
        Assert.Equal("/run/netns/x", r.Interfaces[1].Sandbox);
        Assert.Equal("10.88.0.5/16", r.Ips[0].Address);
        Assert.Equal("10.88.0.1", r.Ips[0].Gateway);
        Assert.Equal(1, r.Ips[0].Interface);
        Assert.Null(r.Ips[1].Interface);
        Assert.Equal("0.0.0.0/0", r.Routes[0].Dst);
        Assert.Null(r.Routes[0].Gw);
        Assert.Equal("10.88.0.254", r.Routes[1].Gw);
        Assert.Equal(["10.88.0.1"], r.Dns!.Nameservers);
        Assert.Equal("example.org", r.Dns.Domain);
        Assert.Equal(["ndots:2"], r.Dns.Options);
        Assert.Equal("1.0.0", (string?)r.Raw["cniVersion"]);
    }

    [Theory]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    public void Converts03And04(string version)
    {
        // 0.3.x/0.4.0 put a "version" in each ip; Debian's bridge answers 0.4.0 lists with "dns": {}.
        var r = CniResult.Parse($$$"""
            {"cniVersion":"{{{version}}}","interfaces":[{"name":"eth0","sandbox":"/proc/1/ns/net"}],
             "ips":[{"version":"4","address":"10.1.2.3/24","gateway":"10.1.2.1","interface":0}],"dns":{}}
            """, "t");
        Assert.Equal(version, r.CniVersion);
        Assert.Equal("10.1.2.3/24", Assert.Single(r.Ips).Address);
        Assert.Equal(0, r.Ips[0].Interface);
        Assert.Null(r.Dns);
        Assert.Equal("4", (string?)r.Raw["ips"]![0]!["version"]);
    }

    [Fact]
    public void Converts02()
    {
        var r = CniResult.Parse("""
            {"cniVersion":"0.2.0","ip4":{"ip":"10.1.2.3/24","gateway":"10.1.2.1","routes":[{"dst":"0.0.0.0/0"}]},"ip6":{"ip":"fd00::3/64"},"dns":{"nameservers":["1.1.1.1"]}}
            """, "t");
        Assert.Empty(r.Interfaces);
        Assert.Equal(["10.1.2.3/24", "fd00::3/64"], r.Ips.Select(i => i.Address));
        Assert.Equal("0.0.0.0/0", Assert.Single(r.Routes).Dst);
        Assert.Equal(["1.1.1.1"], r.Dns!.Nameservers);
    }

    [Theory]
    [InlineData("""{"ips":[]}""", "cniVersion")]
    [InlineData("""{"cniVersion":"7.0.0"}""", "cniVersion")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3"}]}""", "ips[0].address")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"nonsense/24"}]}""", "ips[0].address")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3/33"}]}""", "ips[0].address")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{}]}""", "ips[0].address")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3/24","gateway":"x"}]}""", "ips[0].gateway")]
    [InlineData("""{"cniVersion":"1.0.0","interfaces":[{"name":"a"}],"ips":[{"address":"10.1.2.3/24","interface":1}]}""", "ips[0].interface")]
    [InlineData("""{"cniVersion":"1.0.0","interfaces":[{}]}""", "interfaces[0].name")]
    [InlineData("""{"cniVersion":"1.0.0","routes":[{"dst":"10.0.0.0/8","gw":"nope"}]}""", "routes[0].gw")]
    [InlineData("""{"cniVersion":"1.0.0","dns":{"nameservers":[1]}}""", "dns.nameservers[0]")]
    [InlineData("""{"cniVersion":"0.2.0","ip4":{"gateway":"10.0.0.1"}}""", "ip4.ip")]
    public void RejectsWithThePath(string json, string path)
    {
        var e = Assert.Throws<CartonException>(() => CniResult.Parse(json, "plugin x"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(path, e.JsonPath);
    }
}
