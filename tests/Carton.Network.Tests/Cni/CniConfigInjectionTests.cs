using System.Text.Json.Nodes;
using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

public sealed class CniConfigInjectionTests
{
    [Fact]
    public void InjectsNameVersionPrevResultAndOnlyDeclaredCapabilities()
    {
        var list = TestPlugins.List("web", """{"type":"portmap","name":"own","capabilities":{"portMappings":true,"mac":false}}""", "bridge");
        var caps = new Dictionary<string, JsonNode?>
        {
            ["portMappings"] = JsonNode.Parse("""[{"hostPort":80,"containerPort":8080,"protocol":"tcp"}]"""),
            ["mac"] = "aa:bb:cc:dd:ee:ff",
            ["ips"] = JsonNode.Parse("""["10.0.0.9/24"]"""),
        };
        var prev = JsonNode.Parse("""{"cniVersion":"1.0.0","ips":[]}""")!.AsObject();

        var first = JsonNode.Parse(CniRuntime.BuildConfig(list, list.Plugins[0], "1.0.0", prev, caps))!.AsObject();
        Assert.Equal("web", (string?)first["name"]);
        Assert.Equal("1.0.0", (string?)first["cniVersion"]);
        Assert.Equal("portmap", (string?)first["type"]);
        var rc = first["runtimeConfig"]!.AsObject();
        Assert.Equal(["portMappings"], rc.Select(kv => kv.Key));
        Assert.Equal(8080, (int)rc["portMappings"]![0]!["containerPort"]!);
        Assert.Equal("1.0.0", (string?)first["prevResult"]!["cniVersion"]);

        var second = JsonNode.Parse(CniRuntime.BuildConfig(list, list.Plugins[1], "1.0.0", null, caps))!.AsObject();
        Assert.False(second.ContainsKey("runtimeConfig"));
        Assert.False(second.ContainsKey("prevResult"));

        // The plugin's own object is not changed by injection.
        Assert.Equal("own", (string?)list.Plugins[0].Raw["name"]);
        Assert.False(list.Plugins[0].Raw.ContainsKey("runtimeConfig"));
    }

    [Fact]
    public void ReadsVersionAnswers()
    {
        var info = CniRuntime.ParseVersionInfo("""{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}""", "t");
        Assert.True(info.Supports("1.0.0"));
        Assert.False(info.Supports("1.1.0"));
        var old = CniRuntime.ParseVersionInfo("""{"cniVersion":"0.1.0"}""", "t");
        Assert.Equal(["0.1.0"], old.SupportedVersions);
        Assert.Equal("supportedVersions[1]", Assert.Throws<CartonException>(() => CniRuntime.ParseVersionInfo("""{"supportedVersions":["1.0.0",2]}""", "t")).JsonPath);
    }
}
