using Carton.Images.Content;
using Carton.Images.Linux.Maintenance;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Gc;

/// <summary>`carton image check [--repair]` (StoreChecker): damage done by hand to a store of real pulls and real
/// unpacks is each named (path, expected, found); a repair removes exactly what cannot be trusted; check is then clean.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(RegistryCollection.Name)]
public sealed class CheckTests(RegistryFixture registries) : IDisposable
{
    private readonly GcStore _s = new();

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task FlippedByte_DeletedBlob_TruncatedMarker_AreEachNamed_RepairFixesThem_CheckIsThenClean()
    {
        var single = GcStore.Reference(registries, TestImages.SingleOci);
        var mixed = GcStore.Reference(registries, TestImages.Mixed);
        var docker = GcStore.Reference(registries, TestImages.DockerV2);
        foreach (var r in new[] { single, mixed, docker }) await _s.Store.PullAsync(r, registries.Options());
        var singleChains = _s.Unpack(single);
        var mixedChains = _s.Unpack(mixed);
        Assert.Empty(StoreChecker.Check(_s.Store));

        // A flipped byte in a layer only the mixed image has.
        var zstd = Digest.Parse(TestImages.Mixed.Manifests[0].Layers[1].Digest.ToString());
        var zstdPath = _s.Store.Content.BlobPath(zstd);
        var bytes = File.ReadAllBytes(zstdPath);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(zstdPath, bytes);
        var found = Digest.Sha256(bytes);
        // A deleted blob the docker image needs (its manifest: its config and layer are the single image's too).
        var dockerManifest = Digest.Parse(TestImages.DockerV2.Manifests[0].Digest.ToString());
        File.Delete(_s.Store.Content.BlobPath(dockerManifest));
        // A truncated marker: the mixed image's top layer's diffid record.
        var topDiffId = Path.Combine(_s.Snapshots.Root, mixedChains[^1].Replace(':', '-'), "diffid");
        File.WriteAllText(topDiffId, "");

        var problems = StoreChecker.Check(_s.Store);
        var corrupt = Assert.Single(problems, p => p.Kind == StoreProblemKind.CorruptBlob);
        Assert.Equal(zstdPath, corrupt.Path);
        Assert.Equal(zstd.ToString(), corrupt.Expected);
        Assert.Equal(found.ToString(), corrupt.Found);
        var names = problems.Where(p => p.Kind == StoreProblemKind.BrokenName).ToDictionary(p => p.Subject);
        Assert.Equal(new[] { ImageReference.Parse(mixed).ToString(), ImageReference.Parse(docker).ToString() }.Order(), names.Keys.Order());
        Assert.Contains($"layer {zstd} of manifest", names[ImageReference.Parse(mixed).ToString()].Why);
        Assert.Contains("corrupt", names[ImageReference.Parse(mixed).ToString()].Why);
        Assert.Contains($"{dockerManifest} is missing", names[ImageReference.Parse(docker).ToString()].Why);
        var layer = Assert.Single(problems, p => p.Kind == StoreProblemKind.BrokenLayer);
        Assert.Equal(topDiffId, layer.Path);
        Assert.Equal("an empty file", layer.Found);
        Assert.Equal(4, problems.Count);

        var repair = await StoreChecker.RepairAsync(_s.Store);
        Assert.Empty(repair.Remaining);
        Assert.Contains($"deleted blob {zstd}", repair.Actions);
        Assert.Contains($"removed the name {ImageReference.Parse(mixed)}", repair.Actions);
        Assert.Contains($"removed the name {ImageReference.Parse(docker)}", repair.Actions);
        Assert.Contains($"removed layer {mixedChains[^1].Replace(':', '-')}", repair.Actions);
        Assert.Empty(StoreChecker.Check(_s.Store));

        // What was sound stays: the single image, its unpacked layer, and the mixed image's lower layers (sound,
        // now dangling: a prune's to remove, not a repair's).
        Assert.Equal([ImageReference.Parse(single).ToString()], _s.Store.List().Select(r => r.Name));
        Assert.True(_s.IsComplete(single, out var why), why);
        Assert.True(_s.Snapshots.IsCommitted(singleChains[0]));
        Assert.True(_s.Snapshots.IsCommitted(mixedChains[^2]));
        Assert.False(_s.Store.Content.Has(zstd));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_s.Snapshots.Root, ".tmp")));
    }

    [Fact]
    public async Task ALayerWhoseParentWasRemoved_AndASnapshotOnIt_AreRepairedInTurn()
    {
        var mixed = GcStore.Reference(registries, TestImages.Mixed);
        await _s.CreateFromImageAsync(mixed, "gc16-check-c1", registries.Options());
        var chains = _s.Unpack(mixed);
        // The second layer's fs/ is gone (an unpack's commit cut short by hand): it, the two over it and the snapshot
        // over the top cannot be trusted.
        Directory.Delete(Path.Combine(_s.Snapshots.Root, chains[1].Replace(':', '-'), "fs"), recursive: true);

        var problems = StoreChecker.Check(_s.Store);
        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Equal(StoreProblemKind.BrokenLayer, p.Kind));
        Assert.Contains(problems, p => p.Subject == chains[1].Replace(':', '-') && p.Why.Contains("no fs/ directory", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Subject == chains[2].Replace(':', '-') && p.Expected == chains[1] && p.Why.Contains("parent layer is not in the store", StringComparison.Ordinal));

        var repair = await StoreChecker.RepairAsync(_s.Store);
        Assert.Empty(repair.Remaining);
        Assert.Contains(repair.Found, p => p.Kind == StoreProblemKind.BrokenLayer && p.Subject == chains[2].Replace(':', '-'));
        Assert.Contains(repair.Found, p => p.Kind == StoreProblemKind.BrokenSnapshot && p.Subject == ".active/gc16-check-c1");
        Assert.Null(_s.Snapshots.Find("gc16-check-c1"));
        Assert.Equal([chains[0]], _s.Snapshots.ListLayers().Select(l => l.ChainId));
        Assert.Empty(StoreChecker.Check(_s.Store));
        // The blobs were sound: the image unpacks again.
        Assert.Equal(chains, _s.Unpack(mixed));
    }

    [Fact]
    public async Task AStoreThatDoesNotExist_IsRefused_AndNothingIsCreated()
    {
        var missing = Path.Combine(_s.Root, "gc16-no-such-store");
        var e = Assert.Throws<CartonException>(() => StoreChecker.Check(new ImageStore(missing)));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(missing, e.Message);
        Assert.False(Directory.Exists(missing));
        var p = await Assert.ThrowsAsync<CartonException>(() => ImagePruner.PruneAsync(new ImageStore(missing), all: false));
        Assert.Equal(ErrorKind.NotFound, p.Kind);
        Assert.False(Directory.Exists(missing));
    }
}
