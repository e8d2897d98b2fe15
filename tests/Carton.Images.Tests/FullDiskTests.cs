using Carton.Images.Content;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>
/// Issue 15, "a full disk": an image store on a tmpfs too small for the image (256 KiB; the busybox layer is about
/// 1 MB). A pull or an import fails with ResourceExhausted naming the image or blob, the store and ENOSPC; the disk
/// full is not retried as if it were a dropped connection; no partial file is left to keep the disk full; the blob's
/// lock is free; and the same pull succeeds once there is room.
/// </summary>
[Collection(RegistryCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FullDiskTests : IDisposable
{
    private readonly RegistryFixture _registries;
    private readonly string _mount;

    public FullDiskTests(RegistryFixture registries)
    {
        _registries = registries;
        registries.Proxy.Reset();
        _mount = Directory.CreateTempSubdirectory("carton-images-full-").FullName;
        RegistryFixture.Run("mount", "-t", "tmpfs", "-o", "size=256k", "carton-full-disk", _mount);
    }

    public void Dispose()
    {
        _registries.Proxy.Reset();
        try { RegistryFixture.Run("umount", "-l", _mount); } catch (InvalidOperationException) { }
        try { Directory.Delete(_mount, recursive: true); } catch (IOException) { }
    }

    private string StoreRoot => Path.Combine(_mount, "store");

    private void AssertConsistent(ImageStore store)
    {
        Assert.Empty(store.Content.Verify());
        var ingest = Path.Combine(StoreRoot, "ingest");
        if (Directory.Exists(ingest)) Assert.Empty(Directory.EnumerateFileSystemEntries(ingest));
        Assert.Empty(Directory.EnumerateFiles(StoreRoot, "*.tmp", SearchOption.AllDirectories));
        // and `carton image check` agrees (issue 16: "a full disk during pull leaves the store consistent, as check shows")
        Assert.Empty(Carton.Images.Linux.Maintenance.StoreChecker.Check(store));
    }

    [Fact]
    public async Task Pull_OntoAFullDisk_IsResourceExhausted_NotRetried_AndLeavesNoPartialFile()
    {
        var image = TestImages.SingleOci;
        var layer = image.Manifests[0].Layers[0].Digest;
        Assert.True(image.Manifests[0].Layers[0].Content.Length > 256 << 10, "the test needs a layer larger than the disk");
        var reference = $"{_registries.Proxy.Host}/{image.Repository}:{image.Tag}";
        var store = new ImageStore(StoreRoot);

        var e = await Assert.ThrowsAsync<CartonException>(() => store.PullAsync(reference, _registries.Options()));
        Assert.Equal(ErrorKind.ResourceExhausted, e.Kind);
        Assert.Equal(IoErrors.ENOSPC, e.Errno);
        Assert.Contains("no space left on device (ENOSPC)", e.Message);
        Assert.Contains(layer.ToString(), e.Message);
        Assert.Contains(StoreRoot, e.Message);
        Assert.Equal(1, _registries.Proxy.Requests.Count(r => r.Contains($"/blobs/{layer}", StringComparison.Ordinal)));
        Assert.Empty(store.List());
        AssertConsistent(store);

        // Room again: the same store takes the same pull (the blob's lock was released, nothing stale is in the way).
        RegistryFixture.Run("mount", "-o", "remount,size=16m", _mount);
        var pulled = await store.PullAsync(reference, _registries.Options());
        Assert.True(store.Content.Has(layer));
        Assert.Single(store.List());
        AssertConsistent(store);
        Assert.NotNull(pulled);
    }

    [Fact]
    public async Task Import_OntoAFullDisk_IsResourceExhausted_AndLeavesNoPartialFile()
    {
        var image = TestImages.SingleOci;
        var layer = image.Manifests[0].Layers[0];
        var store = new ImageStore(StoreRoot);
        var e = await Assert.ThrowsAsync<CartonException>(() => store.Content.IngestAsync(new MemoryStream(layer.Content), layer.Digest, layer.Content.Length));
        Assert.Equal(ErrorKind.ResourceExhausted, e.Kind);
        Assert.Contains($"blob {layer.Digest}: write to the content store {StoreRoot}: no space left on device (ENOSPC)", e.Message);
        Assert.False(store.Content.Has(layer.Digest));
        AssertConsistent(store);

        var unknown = await Assert.ThrowsAsync<CartonException>(() => store.Content.IngestUnknownAsync(new MemoryStream(layer.Content)));
        Assert.Equal(ErrorKind.ResourceExhausted, unknown.Kind);
        AssertConsistent(store);
    }
}
