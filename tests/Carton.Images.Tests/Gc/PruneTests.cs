using System.Diagnostics;
using Carton.Images.Content;
using Carton.Images.Linux;
using Carton.Images.Linux.Maintenance;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Gc;

/// <summary>`carton image prune` (ImagePruner) on images pulled from the real registry and unpacked into the real
/// snapshotter: named images stay, dangling blobs and layers go, the bytes are counted, the lease excludes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(RegistryCollection.Name)]
public sealed class PruneTests(RegistryFixture registries) : IDisposable
{
    private readonly GcStore _s = new();

    public void Dispose() => _s.Dispose();

    private string Single => GcStore.Reference(registries, TestImages.SingleOci);
    private string Mixed => GcStore.Reference(registries, TestImages.Mixed);

    [Fact]
    public async Task Prune_KeepsNamedImages_RemovesWhatNoNameReaches_AndCountsTheBytes()
    {
        await _s.Store.PullAsync(Single, registries.Options());
        await _s.Store.PullAsync(Mixed, registries.Options());
        var singleChains = _s.Unpack(Single);
        var mixedChains = _s.Unpack(Mixed);
        Assert.Equal(singleChains[0], mixedChains[0]); // the busybox layer is shared

        var nothing = await ImagePruner.PruneAsync(_s.Store, all: false);
        Assert.Empty(nothing.RemovedBlobs);
        Assert.Empty(nothing.RemovedLayers);
        Assert.Equal(0, nothing.ReclaimedBytes);

        Assert.True(await _s.Store.RemoveAsync(Mixed));
        var mixed = TestImages.Mixed.Manifests[0];
        var expectedBlobs = mixed.Layers.Skip(1).Select(l => l.Digest).Append(mixed.Config.Digest).Append(mixed.Digest).ToHashSet();
        var blobBytes = expectedBlobs.Sum(d => new FileInfo(_s.Store.Content.BlobPath(d)).Length);
        var layerBytes = mixedChains.Skip(1).Sum(c => FileBytes(_s.Snapshots.LayerPath(c)));
        Assert.True(layerBytes > 0);

        var result = await ImagePruner.PruneAsync(_s.Store, all: false);
        Assert.Equal(expectedBlobs, result.RemovedBlobs.Select(b => b.Digest).ToHashSet());
        Assert.Equal(mixedChains.Skip(1).ToHashSet(), result.RemovedLayers.Select(l => l.ChainId).ToHashSet());
        Assert.Equal(blobBytes + layerBytes, result.ReclaimedBytes);
        Assert.Empty(result.RemovedNames);
        Assert.All(expectedBlobs, d => Assert.False(_s.Store.Content.Has(d)));
        Assert.All(mixedChains.Skip(1), c => Assert.False(_s.Snapshots.IsCommitted(c)));

        // The named image is whole: its blobs verify, its layer is still unpacked, the store checks clean.
        Assert.True(_s.IsComplete(Single, out var why), why);
        Assert.True(_s.Snapshots.IsCommitted(singleChains[0]));
        Assert.Empty(StoreChecker.Check(_s.Store));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_s.Snapshots.Root, ".tmp")));
    }

    [Fact]
    public async Task PruneAll_RemovesTheImagesNoContainerUses_AndKeepsTheOnesInUse()
    {
        await _s.Store.PullAsync(Single, registries.Options());
        await _s.Store.PullAsync(Mixed, registries.Options());
        _s.Unpack(Mixed);
        var container = await _s.CreateFromImageAsync(Single, "gc16-c1", registries.Options());
        File.WriteAllText(Path.Combine(container.UpperDir, "written"), "by the container");

        // Without --all nothing is dangling.
        Assert.Equal(0, (await ImagePruner.PruneAsync(_s.Store, all: false)).ReclaimedBytes);

        var result = await ImagePruner.PruneAsync(_s.Store, all: true);
        Assert.Equal([ImageReference.Parse(Mixed).ToString()], result.RemovedNames);
        Assert.Equal([ImageReference.Parse(Single).ToString()], _s.Store.List().Select(r => r.Name));
        Assert.True(_s.IsComplete(Single, out var why), why);
        var kept = _s.Snapshots.Find("gc16-c1")!;
        Assert.All(kept.LowerDirs, d => Assert.True(Directory.Exists(d), d));
        Assert.Equal("by the container", File.ReadAllText(Path.Combine(kept.UpperDir, "written")));
        Assert.Single(_s.Snapshots.ListLayers()); // Mixed's three layers went, the shared base stayed
        Assert.Empty(StoreChecker.Check(_s.Store));

        // The container is deleted: now nothing uses the image, and --all empties the store.
        _s.Snapshots.Remove("gc16-c1");
        var rest = await ImagePruner.PruneAsync(_s.Store, all: true);
        Assert.Equal([ImageReference.Parse(Single).ToString()], rest.RemovedNames);
        Assert.Empty(_s.Store.List());
        Assert.Empty(_s.Store.Content.List());
        Assert.Empty(_s.Snapshots.ListLayers());
    }

    [Fact]
    public void SharedLease_IsAFlockThatExcludesTheCollector_AndFlockSeesIt()
    {
        var lockFile = Path.Combine(_s.Root, "locks", "gc.lock");
        using (StoreLease.Shared(_s.Root))
        {
            Assert.Equal(1, Flock("-x", lockFile));  // a collector cannot get in
            Assert.Equal(0, Flock("-s", lockFile));  // another pull can
        }
        Assert.Equal(0, Flock("-x", lockFile));
        using (StoreLease.Exclusive(_s.Root))
            Assert.Equal(1, Flock("-s", lockFile));  // a pull waits for the collection
    }

    [Fact]
    public async Task Prune_WaitsForAPullsLease()
    {
        // Taken on another flow: a flow's lease covers the tasks it starts, and this test's prune must not be one of them.
        var lease = await Task.Run(() => StoreLease.Shared(_s.Root));
        var prune = Task.Run(() => ImagePruner.PruneAsync(_s.Store, all: true));
        await Task.Delay(500);
        Assert.False(prune.IsCompleted);
        lease.Dispose();
        await prune.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static int Flock(string mode, string file)
    {
        using var p = Process.Start(new ProcessStartInfo("flock", ["-n", mode, file, "true"]))!;
        p.WaitForExit();
        return p.ExitCode;
    }

    private static long FileBytes(string dir) =>
        new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(f => f.Length);
}
