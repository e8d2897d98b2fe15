using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

public sealed class CniConfigListTests
{
    private const string Good = """
        {
          "cniVersion": "1.0.0", "name": "web", "disableCheck": true,
          "plugins": [
            { "type": "bridge", "bridge": "cni0", "ipam": { "type": "host-local", "subnet": "10.88.0.0/16" } },
            { "type": "portmap", "capabilities": { "portMappings": true, "mac": false } }
          ]
        }
        """;

    [Fact]
    public void ParsesAList()
    {
        var list = CniConfigList.Parse(Good, "web.conflist");
        Assert.Equal("1.0.0", list.CniVersion);
        Assert.Equal("web", list.Name);
        Assert.True(list.DisableCheck);
        Assert.False(list.DisableGC);
        Assert.Equal(["bridge", "portmap"], list.Plugins.Select(p => p.Type));
        Assert.Equal("cni0", (string?)list.Plugins[0].Raw["bridge"]);
        Assert.True(list.Plugins[1].Capabilities["portMappings"]);
        Assert.False(list.Plugins[1].Capabilities["mac"]);
        Assert.Empty(list.Plugins[0].Capabilities);
        Assert.Equal(Good, list.Json);
        // Json parses back to the same list.
        Assert.Equal(["bridge", "portmap"], CniConfigList.Parse(list.Json, "again").Plugins.Select(p => p.Type));
    }

    [Fact]
    public void WrapsASinglePluginConf()
    {
        var list = CniConfigList.Parse("""{"cniVersion":"0.4.0","name":"one","type":"bridge","capabilities":{"ips":true}}""", "one.conf");
        Assert.Equal("one", list.Name);
        Assert.Equal("0.4.0", list.CniVersion);
        var plugin = Assert.Single(list.Plugins);
        Assert.Equal("bridge", plugin.Type);
        Assert.Equal("one", plugin.Name);
        Assert.True(plugin.Capabilities["ips"]);
    }

    [Fact]
    public void QuotedBooleansAndCniVersionsAreTaken()
    {
        var list = CniConfigList.Parse("""{"cniVersions":["0.4.0","1.1.0","9.9.9"],"name":"n","disableCheck":"true","disableGC":"false","plugins":[{"type":"x"}]}""", "s");
        Assert.Equal("1.1.0", list.CniVersion);
        Assert.True(list.DisableCheck);
        Assert.False(list.DisableGC);
    }

    [Theory]
    [InlineData("not json", "$")]
    [InlineData("[1]", "$")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n"}""", "$")]
    [InlineData("""{"cniVersion":"1.0.0","plugins":[{"type":"a"}]}""", "name")]
    [InlineData("""{"cniVersion":"1.0.0","name":5,"plugins":[{"type":"a"}]}""", "name")]
    [InlineData("""{"cniVersion":"1.0.0","name":"-bad name","plugins":[{"type":"a"}]}""", "name")]
    [InlineData("""{"cniVersion":"1.0.0","name":"a/b","plugins":[{"type":"a"}]}""", "name")]
    [InlineData("""{"name":"n","plugins":[{"type":"a"}]}""", "cniVersion")]
    [InlineData("""{"cniVersion":"2.0.0","name":"n","plugins":[{"type":"a"}]}""", "cniVersion")]
    [InlineData("""{"cniVersions":["3.0.0"],"name":"n","plugins":[{"type":"a"}]}""", "cniVersions")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[]}""", "plugins")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":{}}""", "plugins")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a"},3]}""", "plugins[1]")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a"},{"bridge":"x"}]}""", "plugins[1].type")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a"},{"type":""}]}""", "plugins[1].type")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a"},{"type":"../../bin/sh"}]}""", "plugins[1].type")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"/bin/sh"}]}""", "plugins[0].type")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a","name":7}]}""", "plugins[0].name")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a","capabilities":[]}]}""", "plugins[0].capabilities")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a","capabilities":{"portMappings":"yes"}}]}""", "plugins[0].capabilities.portMappings")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","disableCheck":5,"plugins":[{"type":"a"}]}""", "disableCheck")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","disableGC":"maybe","plugins":[{"type":"a"}]}""", "disableGC")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","type":"a/b"}""", "type")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","type":3}""", "type")]
    public void RejectsWithThePath(string json, string path)
    {
        var e = Assert.Throws<CartonException>(() => CniConfigList.Parse(json, "network n"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(path, e.JsonPath);
        Assert.NotNull(e.Reason);
        Assert.StartsWith("network n: invalid CNI network configuration: " + path + ": ", e.Message);
    }

    [Fact]
    public void LoadsFilesByExtensionAndDirectoriesSorted()
    {
        var dir = Path.Combine(Path.GetTempPath(), "carton-cni-conf-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "20-b.conf"), """{"cniVersion":"1.0.0","name":"b","type":"bridge"}""");
            File.WriteAllText(Path.Combine(dir, "10-a.conflist"), """{"cniVersion":"1.0.0","name":"a","plugins":[{"type":"bridge"}]}""");
            File.WriteAllText(Path.Combine(dir, "30-c.json"), """{"cniVersion":"1.0.0","name":"c","plugins":[{"type":"bridge"}]}""");
            File.WriteAllText(Path.Combine(dir, "05-ignored.txt"), "not a config");
            Assert.Equal(["a", "b", "c"], CniConfigList.LoadDirectory(dir).Select(l => l.Name));
            Assert.Equal("b", CniConfigList.Load(Path.Combine(dir, "20-b.conf")).Name);

            var missing = Assert.Throws<CartonException>(() => CniConfigList.Load(Path.Combine(dir, "nope.conflist")));
            Assert.Equal(ErrorKind.NotFound, missing.Kind);
            var ext = Assert.Throws<CartonException>(() => CniConfigList.Load(Path.Combine(dir, "05-ignored.txt")));
            Assert.Equal(ErrorKind.InvalidDocument, ext.Kind);

            File.WriteAllText(Path.Combine(dir, "40-bad.conflist"), """{"cniVersion":"1.0.0","name":"d","plugins":[{}]}""");
            var bad = Assert.Throws<CartonException>(() => CniConfigList.LoadDirectory(dir));
            Assert.Equal("plugins[0].type", bad.JsonPath);
            Assert.Contains("40-bad.conflist", bad.Message);
            Assert.Empty(CniConfigList.LoadDirectory(Path.Combine(dir, "absent")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
