using System.Diagnostics;
using System.Text.Json.Nodes;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Cli;

/// <summary>`carton image prune` and `carton image check` through the published binary, against images pulled from
/// the real registry; bad input is refused naming what is wrong and changes nothing.</summary>
[Collection(RegistryCollection.Name)]
public sealed class PruneCheckCliTests(RegistryFixture registries) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc16-cli-").FullName;

    private static readonly string Carton = Path.Combine(RepoRoot(), "artifacts", "bin", "carton");

    private string ImageRoot => Path.Combine(_dir, "store");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Carton.slnx"))) return d.FullName;
        throw new InvalidOperationException("Carton.slnx not found");
    }

    private (int Exit, string Out, string Err) Image(params string[] args) => ImageAt(ImageRoot, args);

    private static (int Exit, string Out, string Err) ImageAt(string root, params string[] args)
    {
        var psi = new ProcessStartInfo(Carton, ["image", "--image-root", root, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOCKER_CONFIG"] = "/nonexistent";
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120))) p.Kill(true);
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    private string Pull(TestImage image)
    {
        var reference = $"{registries.Plain.Host}/{image.Repository}:{image.Tag}";
        var pull = Image("pull", "-q", reference);
        Assert.True(pull.Exit == 0, pull.Err);
        return reference;
    }

    private List<string> Blobs() => [.. Directory.EnumerateFiles(Path.Combine(ImageRoot, "blobs"), "*", SearchOption.AllDirectories).Order()];

    [Fact]
    public void Prune_Check_Repair_ThroughTheBinary()
    {
        Assert.True(File.Exists(Carton), $"{Carton} is missing: run scripts/build.sh");
        Pull(TestImages.SingleOci);
        var mixed = Pull(TestImages.Mixed);
        Assert.Equal(0, Image("rm", mixed).Exit);

        var prune = Image("prune", "--format", "json");
        Assert.True(prune.Exit == 0, prune.Err);
        var report = JsonNode.Parse(prune.Out)!;
        var m = TestImages.Mixed.Manifests[0];
        var removed = report["removedBlobs"]!.AsArray().Select(b => b!["id"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(m.Layers.Skip(1).Select(l => l.Digest.ToString()).Append(m.Config.Digest.ToString()).Append(m.Digest.ToString()).ToHashSet(), removed);
        Assert.Equal(report["removedBlobs"]!.AsArray().Sum(b => b!["size"]!.GetValue<long>()), report["reclaimedBytes"]!.GetValue<long>());
        Assert.Equal("0", Image("prune", "-q").Out.Trim()); // nothing left to take

        var check = Image("check");
        Assert.True(check.Exit == 0, check.Out + check.Err);
        Assert.Contains("clean", check.Err, StringComparison.Ordinal);

        // A flipped byte: check names the blob's path, the digest expected and the one found, and exits 1.
        var layer = TestImages.SingleOci.Manifests[0].Layers[0].Digest;
        var path = Path.Combine(ImageRoot, "blobs", layer.Algorithm, layer.Encoded);
        var bytes = File.ReadAllBytes(path);
        bytes[10] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        var bad = Image("check");
        Assert.Equal(1, bad.Exit);
        Assert.Contains($"{path}: {layer}: content does not match its digest (expected {layer}, found {Digest.Sha256(bytes)})", bad.Out, StringComparison.Ordinal);
        Assert.Contains("is incomplete", bad.Out, StringComparison.Ordinal);

        var repair = Image("check", "--repair");
        Assert.True(repair.Exit == 0, repair.Out + repair.Err);
        Assert.Contains($"repair: deleted blob {layer}", repair.Out, StringComparison.Ordinal);
        Assert.Contains("repair: removed the name ", repair.Out, StringComparison.Ordinal);
        Assert.Equal(0, Image("check").Exit);
        Assert.Equal("", Image("ls", "-q").Out.Trim());
    }

    [Fact]
    public void BadInput_IsRefused_AndChangesNothing()
    {
        Assert.True(File.Exists(Carton), $"{Carton} is missing: run scripts/build.sh");
        var single = Pull(TestImages.SingleOci);
        Assert.Equal(0, Image("rm", single).Exit); // everything is dangling now
        var before = Blobs();

        var format = Image("prune", "--format", "xml");
        Assert.NotEqual(0, format.Exit);
        Assert.Contains("--format \"xml\"", format.Err, StringComparison.Ordinal);
        var flag = Image("prune", "--everything");
        Assert.NotEqual(0, flag.Exit);
        Assert.Contains("--everything", flag.Err, StringComparison.Ordinal);
        var arg = Image("check", "extra");
        Assert.NotEqual(0, arg.Exit);
        Assert.Equal(before, Blobs());

        var missing = Path.Combine(_dir, "gc16-no-such-store");
        foreach (var args in new[] { new[] { "prune" }, ["check"], ["check", "--repair"] })
        {
            var r = ImageAt(missing, args);
            Assert.Equal(ErrorTable.Of(ErrorKind.NotFound).ExitCode, r.Exit);
            Assert.Contains($"image store {missing}: no such directory", r.Err, StringComparison.Ordinal);
            Assert.False(Directory.Exists(missing));
        }
    }
}
