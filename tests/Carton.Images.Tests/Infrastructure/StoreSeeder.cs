using Carton.Images.Content;
using Carton.Images.Model;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>Puts a <see cref="TestImage"/> into a store without a registry (its blobs, manifests, index, and a name), so a
/// push test starts from an image the store has, as after a pull or an import.</summary>
public static class StoreSeeder
{
    public static async Task<ImageRecord> SeedAsync(ImageStore store, TestImage image, string name)
    {
        foreach (var blob in image.Blobs) await store.Content.IngestBytesAsync(blob.Content);
        foreach (var manifest in image.Manifests) await store.Content.IngestBytesAsync(manifest.Content);
        if (image.Index is not null) await store.Content.IngestBytesAsync(image.Index);
        var target = new Descriptor { MediaType = image.TopMediaType, Digest = image.TopDigest.ToString(), Size = image.TopContent.Length };
        await store.PutAsync(name, target);
        return store.Get(name)!;
    }

    /// <summary>
    /// An image with <paramref name="layerMegabytes"/>.Length layers of random content (uncompressed tars, so nothing
    /// compresses them away), each of the given size in MiB, plus busybox: what the push tests and the benchmark send.
    /// </summary>
    public static TestImage Large(string repository, string tag, int seed, params int[] layerMegabytes)
    {
        var random = new Random(seed);
        var layers = layerMegabytes.Select((mb, i) =>
        {
            var data = new byte[mb << 20];
            random.NextBytes(data);
            var tar = TestImages.Tar(("data/", null, null), ($"data/random-{i}", data, null));
            return (tar, tar, MediaTypes.OciLayer);
        }).Prepend(TestImages.BusyboxGzip()).ToArray();
        return TestImages.Single(repository, tag, TestImages.Manifest("amd64", false, layers));
    }

    /// <summary>An OCI image layout (image-spec image-layout.md) holding <paramref name="image"/> tagged <paramref name="tag"/>.</summary>
    public static void WriteOciLayout(TestImage image, string dir, string tag)
    {
        var blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        foreach (var content in image.Blobs.Select(b => b.Content).Concat(image.Manifests.Select(m => m.Content)).Append(image.TopContent))
            File.WriteAllBytes(Path.Combine(blobs, Digest.Sha256(content).Encoded), content);
        File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(dir, "index.json"), $$$"""
            {"schemaVersion":2,"manifests":[{"mediaType":"{{{image.TopMediaType}}}","digest":"{{{image.TopDigest}}}","size":{{{image.TopContent.Length}}},"annotations":{"org.opencontainers.image.ref.name":"{{{tag}}}"}}]}
            """);
    }
}
