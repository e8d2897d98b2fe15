using System.Diagnostics;
using System.Text.Json.Nodes;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Cli;

/// <summary>
/// `carton image ...` black-box, as a new user meets it: the published binaries (artifacts/bin/carton, which execs
/// carton-image), a real registry (TLS and basic auth), and `carton run` of what `carton image unpack` wrote.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ImageCliTests(RegistryFixture registries) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carton-image-cli-").FullName;

    private static readonly string Carton = RepoPaths.Carton;

    private string ImageRoot => Path.Combine(_dir, "store");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.Environment["DOCKER_CONFIG"] = "/nonexistent"; // no credentials but the ones a test gives
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120))) p.Kill(true);
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    private (int Exit, string Out, string Err) Image(params string[] args) => Run(Carton, ["image", "--image-root", ImageRoot, .. args]);

    [Fact]
    public void Pull_Unpack_Run_PrintsTheContainersOutput()
    {
        Assert.True(File.Exists(Carton), $"{Carton} is missing: run scripts/build.sh");
        var image = TestImages.SingleOci;
        var reference = $"{registries.Secure.Host}/{image.Repository}:{image.Tag}";
        var pull = Image("pull", "--creds", $"{RegistryFixture.User}:{RegistryFixture.Password}", "--cert-dir", registries.CertsDirectory,
            "--platform", "linux/amd64", reference);
        Assert.True(pull.Exit == 0, $"pull failed ({pull.Exit}):\n{pull.Err}");
        Assert.Contains($"{reference}: {image.TopDigest}", pull.Out, StringComparison.Ordinal);
        // Not a terminal: one line per blob event, never a line per chunk.
        foreach (var layer in image.Manifests[0].Layers)
            Assert.Contains($"{layer.Digest.Encoded[..12]}: layer done", pull.Err, StringComparison.Ordinal);
        Assert.True(pull.Err.Split('\n').Length < 6 * (image.Manifests[0].Layers.Count + 1), pull.Err);

        var ls = Image("ls", "--format", "json");
        Assert.Equal(0, ls.Exit);
        var entry = Assert.Single(JsonNode.Parse(ls.Out)!.AsArray());
        Assert.Equal(reference, (string?)entry!["name"]);
        var inspect = JsonNode.Parse(Image("inspect", reference).Out)!;
        Assert.Equal(image.Manifests[0].Digest.ToString(), (string?)inspect["manifestDigest"]);

        var bundle = Path.Combine(_dir, "bundle");
        var unpack = Image("unpack", reference, bundle);
        Assert.True(unpack.Exit == 0, unpack.Err);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!;
        Assert.Equal("/bin/sh", (string?)config["process"]!["args"]![0]); // the image's Cmd
        Assert.Equal("rootfs", (string?)config["root"]!["path"]);
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "bin", "busybox")));
        config["process"]!["args"] = new JsonArray("/bin/sh", "-c", "echo pulled-unpacked-and-run; exit 5");
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());
        var id = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var run = Run(Carton, ["--root", Path.Combine(_dir, "runtime"), "run", "--bundle", bundle, id]);
        Assert.True(run.Exit == 5, $"run: {run.Exit}\n{run.Out}\n{run.Err}");
        Assert.Contains("pulled-unpacked-and-run", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Pull_OnATerminal_DrawsAProgressBarPerBlob()
    {
        var image = TestImages.Mixed;
        var reference = $"{registries.Plain.Host}/{image.Repository}:{image.Tag}";
        // script(1) gives the command a terminal; its stderr is then that terminal, so the bars are drawn.
        var command = string.Join(' ', new[] { Carton, "image", "--image-root", ImageRoot, "pull", "--platform", "linux/amd64", reference }.Select(a => $"'{a}'"));
        var r = Run("script", "-qec", command, "/dev/null");
        Assert.True(r.Exit == 0, $"{r.Exit}\n{r.Out}\n{r.Err}");
        Assert.Contains("\u001b[", r.Out, StringComparison.Ordinal);            // cursor movement: redrawn in place
        Assert.Contains("[========================]", r.Out, StringComparison.Ordinal); // a full bar
        foreach (var layer in image.Manifests[0].Layers)
            Assert.Contains($"{layer.Digest.Encoded[..12]}: [", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_Ls_Rm_AndTheErrors()
    {
        var layout = Path.Combine(_dir, "layout");
        var make = Run(Path.Combine(RepoPaths.Root, "scripts", "make-busybox-image.sh"), layout, "carton.test/cli:1");
        Assert.True(make.Exit == 0, make.Err);
        var import = Image("import", layout);
        Assert.True(import.Exit == 0, import.Err);
        Assert.Contains("carton.test/cli:1", import.Out, StringComparison.Ordinal);
        Assert.Equal("carton.test/cli:1", Image("ls", "-q").Out.Trim());

        Assert.Equal(0, Image("rm", "carton.test/cli:1").Exit);
        Assert.Equal("", Image("ls", "-q").Out.Trim());
        var again = Image("rm", "carton.test/cli:1");
        Assert.NotEqual(0, again.Exit);
        Assert.Contains("no image \"carton.test/cli:1\"", again.Err, StringComparison.Ordinal);

        var bad = Image("pull", "UPPER/Case:1");
        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("\"UPPER/Case:1\"", bad.Err, StringComparison.Ordinal);

        // A bundle directory that is not empty is refused, and nothing is written into it.
        Assert.Equal(0, Image("import", layout).Exit);
        var occupied = Path.Combine(_dir, "occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "mine"), "x");
        var refused = Image("unpack", "carton.test/cli:1", occupied);
        Assert.NotEqual(0, refused.Exit);
        Assert.Equal(["mine"], Directory.EnumerateFileSystemEntries(occupied).Select(Path.GetFileName));
    }
}
