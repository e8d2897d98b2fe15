using System.Text;
using System.Text.Json.Nodes;
using Carton.Fuzz.Tests.Harness;
using Carton.Network.Cni;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// CNI network configurations (.conflist and .conf, as CniConfigList.Load reads a file's text), then the stdin each
/// plugin would get (CniRuntime.BuildConfig with capability arguments and a previous result). Bad input: a
/// <see cref="CartonException"/> of kind InvalidDocument naming the file and field.
/// </summary>
public sealed class CniConfListFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "1.1.0", "1.0.0", "0.4.0", "0.3.1", "0.3.0", "0.2.0", "0.1.0", "9.9.9", "1.0", "", "bridge", "portmap", "loopback",
        "host-local", "../../bin/sh", "/usr/bin/id", "a/b", "portMappings", "ips", "mac", "bandwidth", "dns", "runtimeConfig",
        "prevResult", "10.88.0.0/16", "name", "type", "plugins", "capabilities", "cniVersions",
    ];

    private static readonly Dictionary<string, JsonNode?> CapabilityArgs = new()
    {
        ["portMappings"] = JsonNode.Parse("""[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]"""),
        ["ips"] = JsonNode.Parse("""["10.88.0.9/16"]"""),
        ["mac"] = JsonValue.Create("aa:bb:cc:dd:ee:ff"),
    };

    private static readonly JsonObject PrevResult = JsonNode.Parse("""{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"ips":[{"address":"10.88.0.9/16"}]}""")!.AsObject();

    public static FuzzTarget Target { get; } = new(
        "cni-conflist",
        JsonShape.Variants(Corpus.Load("cni-conflist"), Domain),
        Exercise,
        e => e is CartonException { Kind: ErrorKind.InvalidDocument });

    private static void Exercise(byte[] input)
    {
        var list = CniConfigList.Parse(Encoding.UTF8.GetString(input), "fuzz.conflist");
        foreach (var plugin in list.Plugins)
            CniRuntime.BuildConfig(list, plugin, list.CniVersion, PrevResult, CapabilityArgs);
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
