using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Carton.Images.Model;
using Carton.Images.Registry;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>
/// Pushes to the real registries of <see cref="RegistryFixture"/> (TLS + basic auth, plain, token auth), each checked by
/// pulling into a second store (and by skopeo): monolithic and chunked uploads, HEAD skips, cross-repository mounts and
/// the fallback when a mount is refused, an interrupted chunked upload resumed, and the errors.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryPushTests(RegistryFixture registries) : IDisposable
{
    private readonly TempStore _source = new();
    private readonly TempStore _target = new();
    private readonly string _work = Directory.CreateTempSubdirectory("push16-work-").FullName;

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>Progress reports kept per blob (the last state of each, and every state seen).</summary>
    private sealed class Recorder : IProgress<PushProgress>
    {
        public ConcurrentQueue<PushProgress> All { get; } = new();
        public void Report(PushProgress value) => All.Enqueue(value);
        public PushState Last(Digest d) => All.Last(p => p.Digest == d).State;
    }

    /// <summary>Pulls <paramref name="reference"/> into the second store and checks it has every blob of
    /// <paramref name="manifest"/> byte for byte, and the manifest itself.</summary>
    private async Task AssertPullsBackAsync(string reference, TestManifest manifest, RegistryOptions options, Digest top)
    {
        options.Platform = manifest.Platform;
        var pulled = await _target.Store.PullAsync(reference, options);
        Assert.Equal(top.ToString(), pulled.Target.Digest);
        Assert.Equal(manifest.Digest, pulled.ManifestDigest);
        foreach (var blob in manifest.Layers.Append(manifest.Config))
            Assert.Equal(blob.Content, File.ReadAllBytes(_target.Store.Content.BlobPath(blob.Digest)));
        Assert.Equal(manifest.Content, File.ReadAllBytes(_target.Store.Content.BlobPath(manifest.Digest)));
        _target.AssertConsistent();
    }

    [Fact]
    public async Task Push_OverTlsWithBasicAuth_ThenPullIntoASecondStore_SameDigestsAndBytes()
    {
        var image = TestImages.Mixed;
        var reference = $"{registries.Secure.Host}/push16/tls-mixed:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);
        var progress = new Recorder();

        var pushed = await _source.Store.PushAsync(reference, registries.Options(RegistryFixture.Credentials), progress);

        Assert.Equal(image.TopDigest, pushed.Digest);
        Assert.Equal(image.Blobs.Count(), pushed.Blobs);
        foreach (var blob in image.Blobs) Assert.Equal(PushState.Done, progress.Last(blob.Digest));
        await AssertPullsBackAsync(reference, image.Manifests[0], registries.Options(RegistryFixture.Credentials), image.TopDigest);
        _source.AssertConsistent();
    }

    [Theory]
    [InlineData(1)] // OCI index
    [InlineData(3)] // Docker manifest list
    [InlineData(2)] // Docker schema 2 manifest
    public async Task Push_EveryDocumentShape_PullsBackForEachPlatform(int which)
    {
        var image = TestImages.All[which];
        var reference = $"{registries.Secure.Host}/push16/shape-{which}:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);

        var pushed = await _source.Store.PushAsync(reference, registries.Options(RegistryFixture.Credentials));

        Assert.Equal(image.TopDigest, pushed.Digest);
        foreach (var manifest in image.Manifests)
            await AssertPullsBackAsync(reference, manifest, registries.Options(RegistryFixture.Credentials), image.TopDigest);
    }

    [Fact]
    public async Task Push_Again_SkipsEveryBlobTheRegistryHas()
    {
        var image = TestImages.SingleOci;
        var reference = $"{registries.Secure.Host}/push16/again:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);
        await _source.Store.PushAsync(reference, registries.Options(RegistryFixture.Credentials));

        var progress = new Recorder();
        await _source.Store.PushAsync(reference, registries.Options(RegistryFixture.Credentials), progress);

        foreach (var blob in image.Blobs)
        {
            Assert.Equal(PushState.Exists, progress.Last(blob.Digest));
            Assert.DoesNotContain(progress.All, p => p.Digest == blob.Digest && p.State == PushState.Uploading);
        }
    }

    [Fact]
    public async Task Push_LargeLayer_GoesInChunks_OfTheChunkSize_AndSmallBlobsInOnePut()
    {
        using var proxy = new FaultProxy(registries.Plain.BaseUri, forwardHost: true);
        var image = StoreSeeder.Large("push16/chunked", "1", seed: 1, 5);
        var layer = image.Manifests[0].Layers[1];
        var reference = $"{proxy.Host}/push16/chunked:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);
        var options = registries.Options();
        options.ChunkSize = 2 << 20; // above busybox's gzip layer (1.2 MiB)

        await _source.Store.PushAsync(reference, options);

        var patches = proxy.Requests.Where(r => r.StartsWith("PATCH ", StringComparison.Ordinal)).ToList();
        long chunks = (layer.Content.Length + options.ChunkSize - 1) / options.ChunkSize;
        Assert.Equal(chunks, patches.Count);
        Assert.Contains(patches, p => p.EndsWith($" 0-{options.ChunkSize - 1}", StringComparison.Ordinal));
        Assert.Contains(patches, p => p.EndsWith($" {(chunks - 1) * options.ChunkSize}-{layer.Content.Length - 1}", StringComparison.Ordinal));
        // The config and busybox (under 2 MiB) and the large layer: one POST each, one PUT each.
        Assert.Equal(3, proxy.Requests.Count(r => r.StartsWith("POST /v2/push16/chunked/blobs/uploads/", StringComparison.Ordinal)));
        Assert.Equal(3, proxy.Requests.Count(r => r.StartsWith("PUT /v2/push16/chunked/blobs/uploads/", StringComparison.Ordinal)));
        await AssertPullsBackAsync($"{registries.Plain.Host}/push16/chunked:1", image.Manifests[0], registries.Options(), image.TopDigest);
    }

    [Fact]
    public async Task Push_ChunkFailsMidway_ResumesFromTheRegistrysOffset_NotFromZero()
    {
        using var proxy = new FaultProxy(registries.Plain.BaseUri, forwardHost: true);
        var image = StoreSeeder.Large("push16/resume", "1", seed: 2, 4);
        var reference = $"{proxy.Host}/push16/resume:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);
        var options = registries.Options();
        options.ChunkSize = 2 << 20; // above busybox's gzip layer (1.2 MiB): only the large layer goes in chunks
        // The second chunk is refused once with a 500 (the registry never sees it).
        int patches = 0;
        proxy.Add(r => r.HttpMethod == "PATCH" && Interlocked.Increment(ref patches) == 2, new Fault.Status(500, "UNKNOWN"), times: 1);

        await _source.Store.PushAsync(reference, options);

        var log = proxy.Requests;
        var status = log.Where(r => r.StartsWith("GET /v2/push16/resume/blobs/uploads/", StringComparison.Ordinal)).ToList();
        Assert.Single(status); // asked where the upload was
        var ranges = log.Where(r => r.StartsWith("PATCH ", StringComparison.Ordinal)).Select(r => r.Split(' ')[^1]).ToList();
        var size = image.Manifests[0].Layers[1].Content.Length;
        Assert.Equal(["0-2097151", "2097152-4194303", "2097152-4194303", $"4194304-{size - 1}"], ranges);
        await AssertPullsBackAsync($"{registries.Plain.Host}/push16/resume:1", image.Manifests[0], registries.Options(), image.TopDigest);
    }

    [Fact]
    public async Task Push_MonolithicPutFails_RestartsWithANewSession()
    {
        using var proxy = new FaultProxy(registries.Plain.BaseUri, forwardHost: true);
        var image = TestImages.SingleOci;
        var reference = $"{proxy.Host}/push16/restart:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);
        var layer = image.Manifests[0].Layers[0].Digest.ToString();
        proxy.Add(r => r.HttpMethod == "PUT" && r.Url!.Query.Contains(Uri.EscapeDataString(layer), StringComparison.Ordinal), new Fault.Status(503, "UNAVAILABLE"), times: 1);

        await _source.Store.PushAsync(reference, registries.Options());

        Assert.Equal(3, proxy.Requests.Count(r => r.StartsWith("POST /v2/push16/restart/blobs/uploads/", StringComparison.Ordinal)));
        await AssertPullsBackAsync($"{registries.Plain.Host}/push16/restart:1", image.Manifests[0], registries.Options(), image.TopDigest);
    }

    [Fact]
    public async Task Push_ToAnotherRepositoryOfTheSameRegistry_MountsTheBlobs_WithTokenAuth()
    {
        var image = TestImages.Mixed;
        var from = $"{registries.Tokened.Host}/push16/mount-from:1";
        var to = $"{registries.Tokened.Host}/push16/mount-to:1";
        await StoreSeeder.SeedAsync(_source.Store, image, from);
        await _source.Store.PushAsync(from, registries.Options(RegistryFixture.Credentials));
        await _source.Store.PutAsync(to, _source.Store.Get(from)!.Target); // the same image under a second name
        var before = registries.Tokens.Requests.Count;
        var progress = new Recorder();

        await _source.Store.PushAsync(to, registries.Options(RegistryFixture.Credentials), progress);

        foreach (var blob in image.Blobs)
        {
            Assert.Equal(PushState.Mounted, progress.Last(blob.Digest));
            Assert.Equal("push16/mount-from", progress.All.Last(p => p.Digest == blob.Digest).From);
        }
        // The token for the mount asked for push on the target and pull on the source.
        var scopes = registries.Tokens.Requests.Skip(before).ToList();
        Assert.Contains(scopes, q => q.Contains(Uri.EscapeDataString("repository:push16/mount-to:pull,push"), StringComparison.Ordinal)
            && q.Contains(Uri.EscapeDataString("repository:push16/mount-from:pull"), StringComparison.Ordinal));
        await AssertPullsBackAsync(to, image.Manifests[0], registries.Options(RegistryFixture.Credentials), image.TopDigest);
    }

    [Fact]
    public async Task Push_MountRefused_202_FallsBackToUploading()
    {
        using var proxy = new FaultProxy(registries.Plain.BaseUri, forwardHost: true);
        var image = TestImages.SingleOci;
        // The store names the image in a repository the registry never got: the registry cannot mount from it and
        // answers the mount with 202 and an upload session (distribution-spec, "Mounting a blob").
        var never = $"{proxy.Host}/push16/never-pushed:1";
        var reference = $"{proxy.Host}/push16/fallback:1";
        await StoreSeeder.SeedAsync(_source.Store, image, never);
        await _source.Store.PutAsync(reference, _source.Store.Get(never)!.Target);
        var progress = new Recorder();

        await _source.Store.PushAsync(reference, registries.Options(), progress);

        var log = proxy.Requests;
        Assert.Equal(image.Blobs.Count(), log.Count(r => r.StartsWith("POST /v2/push16/fallback/blobs/uploads/ mount", StringComparison.Ordinal)));
        // The upload went into the session the mount's 202 opened: no second POST.
        Assert.Equal(0, log.Count(r => r == "POST /v2/push16/fallback/blobs/uploads/"));
        foreach (var blob in image.Blobs) Assert.Equal(PushState.Done, progress.Last(blob.Digest));
        await AssertPullsBackAsync($"{registries.Plain.Host}/push16/fallback:1", image.Manifests[0], registries.Options(), image.TopDigest);
    }

    [Fact]
    public async Task Push_NameNotInTheStore_IsNotFoundNamingIt_AndSendsNothing()
    {
        using var proxy = new FaultProxy(registries.Plain.BaseUri, forwardHost: true);
        var reference = $"{proxy.Host}/push16/absent:1";
        var e = await Assert.ThrowsAsync<CartonException>(() => _source.Store.PushAsync(reference, registries.Options()));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(reference, e.Message, StringComparison.Ordinal);
        Assert.Empty(proxy.Requests);
    }

    [Fact]
    public async Task Push_WrongPassword_OrNoCredentials_IsPermissionDenied()
    {
        var image = TestImages.SingleOci;
        var reference = $"{registries.Secure.Host}/push16/denied:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);

        var wrong = await Assert.ThrowsAsync<CartonException>(() => _source.Store.PushAsync(reference, registries.Options(new RegistryCredentials(RegistryFixture.User, "wrong"))));
        Assert.Equal(ErrorKind.PermissionDenied, wrong.Kind);
        Assert.Contains("401", wrong.Message, StringComparison.Ordinal);
        Assert.Contains(reference, wrong.Message, StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<CartonException>(() => _source.Store.PushAsync(reference, registries.Options()));
        Assert.Equal(ErrorKind.PermissionDenied, none.Kind);
        // Nothing arrived: the tag is unknown to the registry.
        var e = await Assert.ThrowsAsync<CartonException>(() => _target.Store.PullAsync(reference, registries.Options(RegistryFixture.Credentials)));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Push_IndexWhoseOtherPlatformIsMissing_NeedsItAtTheRegistry()
    {
        var image = TestImages.MultiOci;
        var reference = $"{registries.Plain.Host}/push16/partial:1";
        // As after a pull for arm64 only: the index, and the arm64 manifest and its blobs.
        var arm = image.Manifests.Single(m => m.Platform.Architecture == "arm64");
        foreach (var blob in arm.Layers.Append(arm.Config)) await _source.Store.Content.IngestBytesAsync(blob.Content);
        await _source.Store.Content.IngestBytesAsync(arm.Content);
        await _source.Store.Content.IngestBytesAsync(image.Index!);
        await _source.Store.PutAsync(reference, new Descriptor { MediaType = image.TopMediaType, Digest = image.TopDigest.ToString(), Size = image.Index!.Length });

        var e = await Assert.ThrowsAsync<CartonException>(() => _source.Store.PushAsync(reference, registries.Options()));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        var amd = image.Manifests.Single(m => m.Platform.Architecture == "amd64");
        Assert.Contains(amd.Digest.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("linux/amd64", e.Message, StringComparison.Ordinal);

        // Once the registry has that manifest (here: the whole image pushed under another name), the push completes.
        using (var full = new TempStore())
        {
            await StoreSeeder.SeedAsync(full.Store, image, $"{registries.Plain.Host}/push16/partial:full");
            await full.Store.PushAsync($"{registries.Plain.Host}/push16/partial:full", registries.Options());
        }
        var pushed = await _source.Store.PushAsync(reference, registries.Options());
        Assert.Equal(image.TopDigest, pushed.Digest);
        await AssertPullsBackAsync(reference, arm, registries.Options(), image.TopDigest);
    }

    [Fact]
    public async Task Skopeo_ReadsWhatCartonPushed()
    {
        var image = TestImages.Mixed;
        var reference = $"{registries.Secure.Host}/push16/for-skopeo:1";
        await StoreSeeder.SeedAsync(_source.Store, image, reference);
        await _source.Store.PushAsync(reference, registries.Options(RegistryFixture.Credentials));

        string[] auth = ["--cert-dir", Path.Combine(registries.CertsDirectory, registries.Secure.Host), "--creds", $"{RegistryFixture.User}:{RegistryFixture.Password}"];
        var raw = RegistryFixture.Run("skopeo", ["inspect", "--raw", .. auth, $"docker://{reference}"]);
        Assert.Equal(image.TopDigest, Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(raw)));
        var dir = Path.Combine(_work, "dir");
        RegistryFixture.Run("skopeo", ["--insecure-policy", "copy", "--src-cert-dir", auth[1], "--src-creds", auth[3], $"docker://{reference}", $"dir:{dir}"]);
        Assert.Equal(image.Manifests[0].Content, File.ReadAllBytes(Path.Combine(dir, "manifest.json")));
        foreach (var blob in image.Blobs)
            Assert.Equal(blob.Content, File.ReadAllBytes(Path.Combine(dir, blob.Digest.Encoded)));
    }

    [Fact]
    public async Task Carton_PullsWhatSkopeoPushed()
    {
        var image = TestImages.Mixed;
        var layout = Path.Combine(_work, "layout");
        StoreSeeder.WriteOciLayout(image, layout, "1");
        var reference = $"{registries.Secure.Host}/push16/from-skopeo:1";
        RegistryFixture.Run("skopeo", "--insecure-policy", "copy", "--dest-cert-dir", Path.Combine(registries.CertsDirectory, registries.Secure.Host),
            "--dest-creds", $"{RegistryFixture.User}:{RegistryFixture.Password}", $"oci:{layout}:1", $"docker://{reference}");
        var raw = RegistryFixture.Run("skopeo", "inspect", "--raw", "--cert-dir", Path.Combine(registries.CertsDirectory, registries.Secure.Host),
            "--creds", $"{RegistryFixture.User}:{RegistryFixture.Password}", $"docker://{reference}");

        var pulled = await _target.Store.PullAsync(reference, registries.Options(RegistryFixture.Credentials));

        Assert.Equal(Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(raw)), pulled.ManifestDigest);
        Assert.Equal(image.Manifests[0].Digest, pulled.ManifestDigest); // skopeo sent the layout's manifest unchanged
        foreach (var blob in image.Blobs)
            Assert.Equal(blob.Content, File.ReadAllBytes(_target.Store.Content.BlobPath(blob.Digest)));
        _target.AssertConsistent();
    }
}
