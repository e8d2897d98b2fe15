using System.Text.Json.Nodes;
using Carton.Images.Content;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>
/// `carton image ls`'s sizes come from cache/image-sizes.json while no blob changes (issue 16: 500 images listed under
/// 50 ms), and are recomputed as soon as one does: the cache can make a listing faster, never wrong.
/// </summary>
public sealed class ImageSizeCacheTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    private static long ExpectedSize(TestImage image) =>
        image.Manifests[0].Config.Content.Length + image.Manifests[0].Layers.Sum(l => l.Content.Length);

    private string BlobsDir => Path.Combine(_temp.Root, "blobs", "sha256");

    /// <summary>The blobs directory as a store at rest has it: last changed a minute ago.</summary>
    private void AgeBlobs() => Directory.SetLastWriteTimeUtc(BlobsDir, DateTime.UtcNow.AddMinutes(-1));

    private void Tamper(string digest, long size)
    {
        var path = ImageSizeCache.PathIn(_temp.Root);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["sizes"]![digest] = size;
        File.WriteAllText(path, json.ToJsonString());
    }

    [Fact]
    public async Task AtRest_TheSizesAreRead_FromTheCache()
    {
        var record = await StoreSeeder.SeedAsync(_temp.Store, TestImages.SingleOci, "cache/single:1");
        AgeBlobs();
        Assert.Equal(ExpectedSize(TestImages.SingleOci), ImageSizeCache.SizesOf(_temp.Store, [record])[record.Target.Digest]);
        Assert.True(File.Exists(ImageSizeCache.PathIn(_temp.Root)));

        // a listing that read the manifest again would not see this
        Tamper(record.Target.Digest, 12345);
        Assert.Equal(12345, ImageSizeCache.SizesOf(_temp.Store, [record])[record.Target.Digest]);
    }

    [Fact]
    public async Task ABlobAdded_MakesTheNextListingRecompute()
    {
        var record = await StoreSeeder.SeedAsync(_temp.Store, TestImages.SingleOci, "cache/single:1");
        AgeBlobs();
        ImageSizeCache.SizesOf(_temp.Store, [record]);
        Tamper(record.Target.Digest, 12345);

        await _temp.Store.Content.IngestBytesAsync("another blob"u8.ToArray());
        Assert.Equal(ExpectedSize(TestImages.SingleOci), ImageSizeCache.SizesOf(_temp.Store, [record])[record.Target.Digest]);
    }

    [Fact]
    public async Task AFreshlyChangedStore_IsNotCached_ForAChangeInTheSameClockTick_WouldKeepItsStamp()
    {
        var record = await StoreSeeder.SeedAsync(_temp.Store, TestImages.SingleOci, "cache/single:1");
        Assert.Equal(ExpectedSize(TestImages.SingleOci), ImageSizeCache.SizesOf(_temp.Store, [record])[record.Target.Digest]);
        Assert.False(File.Exists(ImageSizeCache.PathIn(_temp.Root)));
    }

    [Fact]
    public async Task ADamagedCache_IsRecomputed_AndRewritten()
    {
        var record = await StoreSeeder.SeedAsync(_temp.Store, TestImages.Mixed, "cache/mixed:1");
        AgeBlobs();
        Directory.CreateDirectory(Path.GetDirectoryName(ImageSizeCache.PathIn(_temp.Root))!);
        File.WriteAllText(ImageSizeCache.PathIn(_temp.Root), "{\"stamp\": [");
        Assert.Equal(ExpectedSize(TestImages.Mixed), ImageSizeCache.SizesOf(_temp.Store, [record])[record.Target.Digest]);
        Tamper(record.Target.Digest, 7); // rewritten: parses again
    }

    [Fact]
    public async Task AnIndex_IsSizedByTheHostsManifest_AndNotRememberedWhileThatIsAbsent()
    {
        var image = TestImages.MultiOci; // amd64 and arm64
        var amd64 = image.Manifests.Single(m => m.Platform.Architecture == "amd64");
        var arm64 = image.Manifests.Single(m => m.Platform.Architecture == "arm64");
        foreach (var blob in arm64.Layers.Append(arm64.Config)) await _temp.Store.Content.IngestBytesAsync(blob.Content);
        await _temp.Store.Content.IngestBytesAsync(arm64.Content);
        await _temp.Store.Content.IngestBytesAsync(image.Index!);
        await _temp.Store.PutAsync("cache/multi:1", new Model.Descriptor { MediaType = image.TopMediaType, Digest = image.TopDigest.ToString(), Size = image.Index!.Length });
        var record = _temp.Store.Get("cache/multi:1")!;
        AgeBlobs();
        Assert.False(ImageSizeCache.SizesOf(_temp.Store, [record]).ContainsKey(record.Target.Digest));

        foreach (var blob in amd64.Layers.Append(amd64.Config)) await _temp.Store.Content.IngestBytesAsync(blob.Content);
        await _temp.Store.Content.IngestBytesAsync(amd64.Content);
        AgeBlobs();
        Assert.Equal(amd64.Config.Content.Length + amd64.Layers.Sum(l => l.Content.Length),
            ImageSizeCache.SizesOf(_temp.Store, [record])[record.Target.Digest]);
    }
}
