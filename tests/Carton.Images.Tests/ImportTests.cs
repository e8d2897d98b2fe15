using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Images.Formats;
using Carton.Images.Model;
using Carton.Images.Registry;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>
/// Import of OCI image layouts (directory, tar) and docker-archives (the old format and Docker 25's with an OCI layout
/// inside). Layouts and old docker-archives are written by skopeo from the test registry; Docker 25's shape is built
/// here (no dockerd runs in these tests).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ImportTests(RegistryFixture registries) : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly string _work = Directory.CreateTempSubdirectory("carton-images-import-").FullName;

    public void Dispose()
    {
        _temp.Dispose();
        Directory.Delete(_work, true);
    }

    private string Skopeo(string image, string destination, params string[] extra)
    {
        RegistryFixture.Run("skopeo", [.. new[] { "--insecure-policy", "--override-os", "linux", "--override-arch", "amd64", "copy", "--src-tls-verify=false" },
            .. extra, $"docker://{registries.Plain.Host}/{image}", destination]);
        return destination;
    }

    private static string TarOf(string directory, string tarPath)
    {
        TarFile.CreateFromDirectory(directory, tarPath, includeBaseDirectory: false);
        return tarPath;
    }

    [Fact]
    public async Task OciLayoutDirectory_FromSkopeo_ImportsEveryBlobVerified()
    {
        var image = TestImages.Mixed;
        var dir = Path.Combine(_work, "oci");
        Skopeo($"{image.Repository}:1", $"oci:{dir}:mixed");
        // skopeo's oci: destination gzips the uncompressed layer (and so writes a new manifest): compare with what it wrote.
        var written = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, "index.json")), ImagesJsonContext.Default.ImageIndex)!.Manifests[0];
        var writtenManifest = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, "blobs", "sha256", written.Digest[7..])), ImagesJsonContext.Default.Manifest)!;
        var imported = Assert.Single(await _temp.Store.ImportAsync(dir));
        // ref.name "mixed" is read as a reference: docker.io/library/mixed:latest.
        Assert.Equal(["docker.io/library/mixed:latest"], imported.Names);
        Assert.Equal(written.Digest, imported.Target.Digest);
        var stored = _temp.Store.Inspect("mixed");
        Assert.Equal(writtenManifest.Layers.Select(l => l.Digest), stored.Layers.Select(l => l.Digest));
        Assert.Contains(stored.Layers, l => l.MediaType == MediaTypes.OciLayerZstd);
        foreach (var layer in stored.Layers) Assert.True(_temp.Store.Content.Has(Digest.Parse(layer.Digest)));
        for (int i = 0; i < stored.Layers.Count; i++)
        {
            using var tar = _temp.Store.OpenLayer(stored.Layers[i]);
            using var buffer = new MemoryStream();
            await tar.CopyToAsync(buffer);
            Assert.Equal(stored.DiffIds[i], Digest.Sha256(buffer.ToArray()).ToString());
        }
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task OciLayoutTar_WithAllPlatforms_AndAGivenName()
    {
        var image = TestImages.MultiOci;
        var dir = Path.Combine(_work, "oci-all");
        Skopeo($"{image.Repository}:1", $"oci:{dir}:multi", "--all");
        var tar = TarOf(dir, Path.Combine(_work, "multi.tar"));
        var imported = Assert.Single(await _temp.Store.ImportAsync(tar, new ImportOptions { Name = "r.io/multi:7" }));
        Assert.Equal(["r.io/multi:7"], imported.Names);
        Assert.Equal(image.TopDigest.ToString(), imported.Target.Digest);
        Assert.Equal("arm64", _temp.Store.Inspect("r.io/multi:7", PlatformMatcher.Parse("linux/arm64")).Config.Architecture);
        Assert.Equal("amd64", _temp.Store.Inspect("r.io/multi:7", PlatformMatcher.Parse("linux/amd64")).Config.Architecture);
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task OciLayoutTar_Gzipped_FromAStream()
    {
        var dir = Path.Combine(_work, "oci");
        Skopeo($"{TestImages.SingleOci.Repository}:1", $"oci:{dir}:single");
        var tar = File.ReadAllBytes(TarOf(dir, Path.Combine(_work, "single.tar")));
        var imported = Assert.Single(await _temp.Store.ImportAsync(new MemoryStream(TestImages.Gzip(tar)), new ImportOptions { Name = "single:1" }));
        Assert.Equal(TestImages.SingleOci.TopDigest.ToString(), imported.Target.Digest);
        Assert.NotNull(_temp.Store.Get("docker.io/library/single:1"));
    }

    [Fact]
    public async Task DockerArchive_FromSkopeo_BecomesAnOciManifest_WithUncompressedLayersWhoseDigestIsTheDiffId()
    {
        var archive = Path.Combine(_work, "docker.tar");
        Skopeo($"{TestImages.SingleOci.Repository}:1", $"docker-archive:{archive}:carton/single:1");
        var imported = Assert.Single(await _temp.Store.ImportAsync(archive));
        Assert.Equal(["docker.io/carton/single:1"], imported.Names);
        Assert.Equal(MediaTypes.OciManifest, imported.Target.MediaType);
        var stored = _temp.Store.Inspect("carton/single:1");
        var layer = Assert.Single(stored.Layers);
        Assert.Equal(MediaTypes.OciLayer, layer.MediaType);
        Assert.Equal(stored.DiffIds[0], layer.Digest);
        Assert.Equal(Digest.Sha256(TestImages.BusyboxLayerTar).ToString(), layer.Digest);
        Assert.Equal(TestImages.SingleOci.Manifests[0].Config.Digest.ToString(), stored.Manifest.Config.Digest);
        _temp.AssertConsistent();
    }

    /// <summary>The old `docker save` shape, written here: two images sharing a layer, the second copy a symlink,
    /// one layer gzip-compressed, the whole archive gzipped.</summary>
    [Fact]
    public async Task DockerArchive_Old_WithASymlinkedLayer_AndACompressedLayer()
    {
        var base_ = TestImages.BusyboxLayerTar;
        var (extraTar, extraGz, _) = TestImages.SmallLayer("extra", "extra", LayerCompression.Gzip);
        var config1 = TestImages.Config("amd64", base_);
        var config2 = TestImages.Config("amd64", base_, extraTar);
        var manifest = new JsonArray(
            new JsonObject { ["Config"] = "c1.json", ["RepoTags"] = new JsonArray("one:1", "one:latest"), ["Layers"] = new JsonArray("aaa/layer.tar") },
            new JsonObject { ["Config"] = "c2.json", ["RepoTags"] = new JsonArray("r.io/two:2"), ["Layers"] = new JsonArray("bbb/layer.tar", "ccc/layer.tar") });
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            void File(string name, byte[] data) => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            File("aaa/layer.tar", base_);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bbb/layer.tar") { LinkName = "../aaa/layer.tar" });
            File("ccc/layer.tar", extraGz);
            File("c1.json", config1);
            File("c2.json", config2);
            File("manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest));
        }
        var imported = await _temp.Store.ImportAsync(new MemoryStream(TestImages.Gzip(output.ToArray())));
        Assert.Equal(2, imported.Count);
        Assert.Equal(["docker.io/library/one:1", "docker.io/library/one:latest"], imported[0].Names);
        Assert.Equal(["r.io/two:2"], imported[1].Names);
        var two = _temp.Store.Inspect("r.io/two:2");
        Assert.Equal([MediaTypes.OciLayer, MediaTypes.OciLayerGzip], two.Layers.Select(l => l.MediaType));
        Assert.Equal(Digest.Sha256(base_).ToString(), two.Layers[0].Digest);
        Assert.Equal(Digest.Sha256(extraGz).ToString(), two.Layers[1].Digest);
        Assert.Equal(3, _temp.Store.List().Count);
        _temp.AssertConsistent();
    }

    /// <summary>Docker 25+: an OCI layout (index.json with io.containerd.image.name, blobs/sha256) plus manifest.json
    /// pointing into blobs/. The OCI side is read, so the manifest and its digest are the original ones.</summary>
    [Fact]
    public async Task DockerArchive_Docker25_ReadsTheOciLayoutInside()
    {
        var image = TestImages.SingleOci;
        var m = image.Manifests[0];
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = m.MediaType,
                ["digest"] = m.Digest.ToString(),
                ["size"] = m.Content.Length,
                ["annotations"] = new JsonObject
                {
                    ["io.containerd.image.name"] = "docker.io/library/busybox:25",
                    ["org.opencontainers.image.ref.name"] = "25",
                },
            }),
        };
        var dockerManifest = new JsonArray(new JsonObject
        {
            ["Config"] = $"blobs/sha256/{m.Config.Digest.Encoded}",
            ["RepoTags"] = new JsonArray("busybox:25"),
            ["Layers"] = new JsonArray($"blobs/sha256/{m.Layers[0].Digest.Encoded}"),
        });
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            void File(string name, byte[] data) => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            foreach (var blob in image.Blobs) File($"blobs/sha256/{blob.Digest.Encoded}", blob.Content);
            File($"blobs/sha256/{m.Digest.Encoded}", m.Content);
            File("index.json", JsonSerializer.SerializeToUtf8Bytes(index));
            File("manifest.json", JsonSerializer.SerializeToUtf8Bytes(dockerManifest));
            File("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
            File("repositories", """{"busybox":{"25":"x"}}"""u8.ToArray());
        }
        var imported = Assert.Single(await _temp.Store.ImportAsync(new MemoryStream(output.ToArray())));
        Assert.Equal(["docker.io/library/busybox:25"], imported.Names);
        Assert.Equal(m.Digest.ToString(), imported.Target.Digest);
        Assert.Equal(MediaTypes.OciLayerGzip, _temp.Store.Inspect("busybox:25").Layers[0].MediaType);
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task OciLayout_WithABlobThatIsNotWhatItsNameSays_IsRefused_AndNothingWrongIsVisible()
    {
        var dir = Path.Combine(_work, "oci");
        Skopeo($"{TestImages.SingleOci.Repository}:1", $"oci:{dir}:single");
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        var path = Path.Combine(dir, "blobs", "sha256", layer.Digest.Encoded);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(path, bytes);

        var e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.ImportAsync(dir));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("digest mismatch", e.Message);
        Assert.Contains(layer.Digest.ToString(), e.Message);
        Assert.False(_temp.Store.Content.Has(layer.Digest));
        Assert.Empty(_temp.Store.List());
        _temp.AssertConsistent();

        var tar = TarOf(dir, Path.Combine(_work, "bad.tar"));
        e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.ImportAsync(tar));
        Assert.Contains("digest mismatch", e.Message);
        Assert.Contains(tar, e.Message);
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task DockerArchive_LayerNotMatchingItsDiffId_IsRefused()
    {
        var archive = Path.Combine(_work, "docker.tar");
        using (var file = File.Create(archive))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            void Add(string name, byte[] data) => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("l/layer.tar", TestImages.Tar(("x", "x"u8.ToArray(), null)));
            Add("c.json", TestImages.Config("amd64", TestImages.Tar(("y", "y"u8.ToArray(), null))));
            Add("manifest.json", """[{"Config":"c.json","RepoTags":["bad:1"],"Layers":["l/layer.tar"]}]"""u8.ToArray());
        }
        var e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.ImportAsync(archive));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("diff_ids[0]", e.Message);
        Assert.Empty(_temp.Store.List());
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task NotAnArchive_IsInvalidDocument()
    {
        var path = Path.Combine(_work, "junk");
        File.WriteAllText(path, "this is not a tar archive at all, not even close............................");
        var e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.ImportAsync(path));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        var empty = Directory.CreateDirectory(Path.Combine(_work, "empty")).FullName;
        e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.ImportAsync(empty));
        Assert.Contains("neither an OCI image layout", e.Message);
        e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.ImportAsync(Path.Combine(_work, "missing")));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        _temp.AssertConsistent();
    }
}
