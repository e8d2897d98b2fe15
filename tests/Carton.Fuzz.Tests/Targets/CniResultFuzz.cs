using System.Text;
using Carton.Fuzz.Tests.Harness;
using Carton.Network.Cni;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// What a CNI plugin writes on stdout, read the three ways the runtime reads it: a result (CniResult.Parse, every
/// version's shape), an error document (CniPluginExec.TryParseError, for a failed plugin) and a VERSION answer
/// (CniRuntime.ParseVersionInfo). Bad input: a <see cref="CartonException"/> of kind InvalidDocument.
/// </summary>
public sealed class CniResultFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "1.1.0", "1.0.0", "0.4.0", "0.3.1", "0.3.0", "0.2.0", "0.1.0", "9.9.9", "4", "6", "10.88.0.5/16", "10.88.0.1",
        "fd00::5/64", "::/0", "0.0.0.0/0", "10.0.0.256/24", "10.0.0.1/33", "aa:bb:cc:dd:ee:ff", "eth0", "/var/run/netns/x",
        "interfaces", "ips", "routes", "dns", "ip4", "ip6", "gateway", "interface", "code", "msg", "supportedVersions",
    ];

    public static FuzzTarget Target { get; } = new(
        "cni-result",
        JsonShape.Variants(Corpus.Load("cni-result"), Domain),
        Exercise,
        e => e is CartonException { Kind: ErrorKind.InvalidDocument });

    private static void Exercise(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        CniPluginExec.TryParseError(text, out _, out _, out _);
        Exception? first = null;
        try { CniRuntime.ParseVersionInfo(text, "fuzz (VERSION)"); }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument) { first = e; }
        CniResult.Parse(text, "fuzz (ADD)");
        if (first is not null) throw first;
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
