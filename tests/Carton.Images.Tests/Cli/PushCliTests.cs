using System.Diagnostics;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Cli;

/// <summary>
/// `carton image push` black-box, with the published binaries: a push SIGKILLed in the middle of a large layer's chunked
/// upload, then pushed again, leaves the registry with the right content; the errors' exit codes and messages.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class PushCliTests(RegistryFixture registries) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("push16-cli-").FullName;
    private static readonly string Carton = RepoPaths.Carton;
    private string ImageRoot => Path.Combine(_dir, "store");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ProcessStartInfo Start(params string[] args)
    {
        var psi = new ProcessStartInfo(Carton, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.Environment["DOCKER_CONFIG"] = "/nonexistent";
        return psi;
    }

    private (int Exit, string Out, string Err) Image(params string[] args)
    {
        using var p = Process.Start(Start(["image", "--image-root", ImageRoot, .. args]))!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120))) p.Kill(true);
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    [Fact]
    public async Task Push_KilledMidUpload_ThenPushedAgain_TheRegistryHasTheImage()
    {
        Assert.True(File.Exists(Carton), $"{Carton} is missing: run scripts/build.sh");
        using var proxy = new FaultProxy(registries.Plain.BaseUri, forwardHost: true);
        var image = StoreSeeder.Large("push16/killed", "1", seed: 16, 24);
        var reference = $"{proxy.Host}/push16/killed:1";
        await StoreSeeder.SeedAsync(new Content.ImageStore(ImageRoot), image, reference);
        // From the sixth chunk on, the proxy holds each PATCH for a minute: the kill lands in the middle of the 24 MiB layer.
        int patches = 0;
        proxy.Add(r => r.HttpMethod == "PATCH" && Interlocked.Increment(ref patches) > 5, new Fault.Delay(TimeSpan.FromMinutes(1)));

        using (var push = Process.Start(Start(["image", "--image-root", ImageRoot, "push", "--chunk-size", "1M", reference]))!)
        {
            push.StandardInput.Close();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (proxy.Requests.Count(r => r.StartsWith("PATCH ", StringComparison.Ordinal)) < 6 && DateTime.UtcNow < deadline && !push.HasExited)
                await Task.Delay(20);
            // (No stderr in the message: reading it would wait for the process to end.)
            Assert.False(push.HasExited, "the push ended before the kill");
            push.Kill(); // SIGKILL: carton execs carton-image, so this is the pushing process
            push.WaitForExit();
        }
        var killedLog = string.Join("\n", proxy.Requests);
        // The registry has no tag yet: the manifest goes last.
        using (var early = new TempStore())
        {
            var e = await Record.ExceptionAsync(() => early.Store.PullAsync($"{registries.Plain.Host}/push16/killed:1", registries.Options()));
            Assert.True(e is CartonException { Kind: ErrorKind.NotFound }, $"the tag is there after the kill ({e}); the requests:\n{killedLog}");
        }

        proxy.Reset();
        var again = Image("push", "--chunk-size", "4M", reference);
        Assert.True(again.Exit == 0, $"second push: {again.Exit}\n{again.Err}");
        Assert.Contains($"{reference}: {image.TopDigest}", again.Out, StringComparison.Ordinal);
        // One line per blob event, never one per chunk.
        Assert.Contains($"{image.Manifests[0].Layers[1].Digest.Encoded[..12]}: layer pushed", again.Err, StringComparison.Ordinal);
        Assert.True(again.Err.Split('\n').Length < 5 * (image.Blobs.Count() + 1), again.Err);

        using var second = new TempStore();
        var options = registries.Options();
        var pulled = await second.Store.PullAsync($"{registries.Plain.Host}/push16/killed:1", options);
        Assert.Equal(image.TopDigest.ToString(), pulled.Target.Digest);
        foreach (var blob in image.Blobs)
            Assert.Equal(blob.Content, File.ReadAllBytes(second.Store.Content.BlobPath(blob.Digest)));
        second.AssertConsistent();
        // The store pushed from is untouched by the kill: no ingest file, every blob sound.
        Assert.Empty(new Content.ImageStore(ImageRoot).Content.Verify());
    }

    [Fact]
    public async Task Push_Quiet_PrintsTheDigest_AndTheErrorsExitNonZeroNamingWhat()
    {
        Assert.True(File.Exists(Carton), $"{Carton} is missing: run scripts/build.sh");
        var image = TestImages.SingleOci;
        var reference = $"{registries.Secure.Host}/push16/cli-quiet:1";
        await StoreSeeder.SeedAsync(new Content.ImageStore(ImageRoot), image, reference);
        string[] tls = ["--cert-dir", registries.CertsDirectory];

        var ok = Image(["push", "-q", "--creds", $"{RegistryFixture.User}:{RegistryFixture.Password}", .. tls, reference]);
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.Equal(image.TopDigest.ToString(), ok.Out.Trim());
        Assert.Equal("", ok.Err);

        var absent = Image(["push", .. tls, $"{registries.Secure.Host}/push16/cli-absent:1"]);
        Assert.NotEqual(0, absent.Exit);
        Assert.Contains($"{registries.Secure.Host}/push16/cli-absent:1: no such image", absent.Err, StringComparison.Ordinal);

        var denied = Image(["push", "--creds", $"{RegistryFixture.User}:wrong", .. tls, reference]);
        Assert.NotEqual(0, denied.Exit);
        Assert.Contains("401", denied.Err, StringComparison.Ordinal);

        var badSize = Image(["push", "--chunk-size", "lots", reference]);
        Assert.NotEqual(0, badSize.Exit);
        Assert.Contains("--chunk-size: \"lots\"", badSize.Err, StringComparison.Ordinal);
    }
}
