using System.Text.Json;
using Carton.Images.Model;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>
/// Differential: skopeo (containers/image) and Carton pull the same image from the TLS + basic auth registry; the
/// manifest digest and every blob digest must agree. skopeo's dir: destination keeps the manifest as the registry
/// sent it (its oci: destination may recompress), so the comparison is exact.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class SkopeoDifferentialTests(RegistryFixture registries) : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly string _work = Directory.CreateTempSubdirectory("carton-images-skopeo-").FullName;

    public void Dispose()
    {
        _temp.Dispose();
        Directory.Delete(_work, true);
    }

    public static TheoryData<int, string> Images => new()
    {
        { 0, "amd64" }, // OCI manifest
        { 1, "amd64" }, // OCI index
        { 1, "arm64" },
        { 2, "amd64" }, // Docker schema 2
        { 3, "arm64" }, // Docker manifest list
        { 4, "amd64" }, // gzip + zstd + plain layers
    };

    [Theory]
    [MemberData(nameof(Images))]
    public async Task SkopeoAndCarton_AgreeOnManifestAndBlobs(int which, string arch)
    {
        var image = TestImages.All[which];
        var reference = $"{registries.Secure.Host}/{image.Repository}:{image.Tag}";
        var dir = Path.Combine(_work, "dir");
        RegistryFixture.Run("skopeo", "--insecure-policy", "--override-os", "linux", "--override-arch", arch, "copy",
            "--src-cert-dir", Path.Combine(registries.CertsDirectory, registries.Secure.Host),
            "--src-creds", $"{RegistryFixture.User}:{RegistryFixture.Password}",
            $"docker://{reference}", $"dir:{dir}");
        var skopeoManifest = File.ReadAllBytes(Path.Combine(dir, "manifest.json"));
        var skopeoParsed = JsonSerializer.Deserialize(skopeoManifest, ImagesJsonContext.Default.Manifest)!;

        var options = registries.Options(RegistryFixture.Credentials);
        options.Platform = new Platform { Os = "linux", Architecture = arch };
        var pulled = await _temp.Store.PullAsync(reference, options);

        Assert.Equal(Digest.Sha256(skopeoManifest).ToString(), pulled.ManifestDescriptor.Digest);
        Assert.Equal(skopeoManifest, _temp.Store.Content.ReadAllBytes(pulled.ManifestDigest));
        var skopeoBlobs = skopeoParsed.Layers.Prepend(skopeoParsed.Config).Select(d => d.Digest).ToList();
        Assert.Equal(skopeoBlobs, pulled.Layers.Prepend(pulled.Manifest.Config).Select(d => d.Digest));
        foreach (var blob in skopeoBlobs)
        {
            var d = Digest.Parse(blob);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, d.Encoded)), File.ReadAllBytes(_temp.Store.Content.BlobPath(d)));
        }
        Assert.Equal(arch, pulled.Config.Architecture);
        _temp.AssertConsistent();
    }
}
