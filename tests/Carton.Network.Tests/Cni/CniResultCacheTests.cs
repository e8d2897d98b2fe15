using System.Text.Json.Nodes;
using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

public sealed class CniResultCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "carton-cni-cache-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static readonly CniResult Result = CniResult.Parse(
        """{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"ips":[{"address":"10.1.0.2/24","interface":0}]}""", "t");

    [Fact]
    public void RoundTrips()
    {
        var cache = new CniResultCache(_dir);
        var list = TestPlugins.List("web", "bridge", """{"type":"portmap","capabilities":{"portMappings":true}}""");
        var rt = new CniRuntimeConfig
        {
            ContainerId = "abc", IfName = "eth0", NetnsPath = "/run/netns/abc",
            Args = [new("IgnoreUnknown", "1"), new("K8S_POD_NAME", "p")],
            CapabilityArgs = new Dictionary<string, JsonNode?> { ["portMappings"] = JsonNode.Parse("""[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]""") },
        };
        cache.Write(list, rt, Result);

        var path = Path.Combine(_dir, "results", "web-abc-eth0.json");
        Assert.True(File.Exists(path));
        var record = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal("cniCacheV1", (string?)record["kind"]);
        Assert.Equal(list.Json, (string?)record["config"]);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "results"), "*.tmp-*"));

        var a = cache.Read("web", "abc", "eth0")!;
        Assert.Equal("web", a.NetworkName);
        Assert.Equal("abc", a.ContainerId);
        Assert.Equal("eth0", a.IfName);
        Assert.Equal("/run/netns/abc", a.NetnsPath);
        Assert.Equal(["bridge", "portmap"], a.Config.Plugins.Select(p => p.Type));
        Assert.Equal("10.1.0.2/24", a.Result!.Ips[0].Address);
        Assert.Equal(rt.Args, a.Args);
        Assert.Equal(8080, (int)a.CapabilityArgs["portMappings"]![0]!["hostPort"]!);
        Assert.Equal(new CniAttachmentKey("abc", "eth0"), a.Key);

        Assert.Null(cache.Read("web", "abc", "eth1"));
        Assert.Single(cache.List("web"));
        Assert.Empty(cache.List("other"));
        cache.Remove("web", "abc", "eth0");
        Assert.Null(cache.Read("web", "abc", "eth0"));
        cache.Remove("web", "abc", "eth0"); // twice is fine
    }

    [Fact]
    public void ListingSkipsCorruptEntriesAndReadReportsThem()
    {
        var cache = new CniResultCache(_dir);
        cache.Write(TestPlugins.List("web", "bridge"), TestPlugins.Rt("good"), Result);
        File.WriteAllText(Path.Combine(_dir, "results", "web-bad-eth0.json"), "{ truncated");
        File.WriteAllText(Path.Combine(_dir, "results", "web-kind-eth0.json"), """{"kind":"other"}""");
        var corrupt = new List<string>();
        var all = cache.List(null, corrupt);
        Assert.Equal("good", Assert.Single(all).ContainerId);
        Assert.Equal(2, corrupt.Count);
        var e = Assert.Throws<CartonException>(() => cache.Read("web", "bad", "eth0"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("kind", Assert.Throws<CartonException>(() => cache.Read("web", "kind", "eth0")).JsonPath);
    }

    [Fact]
    public void AnotherAttachmentsFileReadsAsNone()
    {
        // "a-b" + "c" and "a" + "b-c" share a file name; the record's own parts decide.
        var cache = new CniResultCache(_dir);
        cache.Write(TestPlugins.List("a-b", "bridge"), TestPlugins.Rt("c"), Result);
        Assert.NotNull(cache.Read("a-b", "c", "eth0"));
        Assert.Null(cache.Read("a", "b-c", "eth0"));
    }

    [Theory]
    [InlineData("", "c", "eth0", "networkName")]
    [InlineData("n", "a/b", "eth0", "containerId")]
    [InlineData("n", "c", "", "ifName")]
    [InlineData("n", "..", "eth0", "containerId")]
    public void RejectsPartsThatAreNotFileNames(string network, string container, string ifName, string path)
    {
        var e = Assert.Throws<CartonException>(() => new CniResultCache(_dir).PathOf(network, container, ifName));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(path, e.JsonPath);
    }
}
