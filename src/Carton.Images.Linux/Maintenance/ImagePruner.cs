using Carton.Images.Content;
using Carton.Images.Linux.Snapshots;
using Carton.Images.Model;

namespace Carton.Images.Linux.Maintenance;

/// <summary>
/// <c>carton image prune [--all]</c>: removes what nothing references. The roots are the names in index.json and the
/// containers' active snapshots. Marked from the names: index → manifests → config and layers (blobs), and each
/// manifest's config → rootfs.diff_ids → chain IDs (unpacked layers); from each active snapshot, its parent chain and
/// every layer below. Everything else is swept: blobs, then layers top first (a layer is removed only when no layer
/// and no snapshot stands on it). With <paramref name="all"/>, a name whose image no container uses goes first: an
/// image is used when an active snapshot's parent is the top chain ID of one of its manifests. That is how the store
/// sees containers without knowing the compute layer: the compute service makes a system's root an active snapshot
/// over the image's top layer (and removes it with the system), so the snapshots are the reference records.
/// Everything runs under the exclusive <see cref="StoreLease"/>, which pulls, imports, tags and a system's create
/// hold shared until their name or snapshot is recorded.
/// </summary>
public static class ImagePruner
{
    public static async Task<PruneResult> PruneAsync(ImageStore store, bool all, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        StoreSnapshots.RequireStore(store);
        using var lease = StoreLease.Exclusive(store.Root, cancellationToken);
        var snapshots = StoreSnapshots.Open(store.Root);
        IReadOnlyList<ActiveSnapshot> active;
        try { active = snapshots?.ListActive() ?? []; }
        catch (CartonException e)
        {
            throw new CartonException(ErrorKind.InvalidState, $"the snapshot store is inconsistent ({e.Message}): run carton image check --repair first", e);
        }
        var used = active.Select(a => a.ParentChainId).OfType<string>().ToHashSet(StringComparer.Ordinal);

        var removedNames = new List<string>();
        if (all)
        {
            foreach (var record in store.List())
            {
                if (ChainsOf(store, record).Any(chain => used.Contains(chain[^1]))) continue;
                if (await store.Names.RemoveAsync(record.Name, cancellationToken).ConfigureAwait(false)) removedNames.Add(record.Name);
            }
        }

        var keepLayers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in store.List())
            foreach (var chain in ChainsOf(store, record)) keepLayers.UnionWith(chain);
        var blobs = await store.SweepBlobsAsync(store.MarkReachable(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);

        var layers = new List<RemovedLayer>();
        if (snapshots is not null)
        {
            var committed = snapshots.ListLayers().ToDictionary(l => l.ChainId, StringComparer.Ordinal);
            foreach (var top in used)
                for (string? id = top; id is not null && keepLayers.Add(id);) id = committed.GetValueOrDefault(id)?.ParentChainId;
            // Top first: a layer goes when nothing left stands on it.
            var doomed = committed.Keys.Where(id => !keepLayers.Contains(id)).ToHashSet(StringComparer.Ordinal);
            while (doomed.Count > 0)
            {
                var standingOn = committed.Values.Select(l => l.ParentChainId).OfType<string>().ToHashSet(StringComparer.Ordinal);
                var free = doomed.Where(id => !standingOn.Contains(id)).ToList();
                if (free.Count == 0) break;
                foreach (var id in free)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long size = DirectorySize(snapshots.LayerPath(id));
                    snapshots.RemoveLayer(id);
                    layers.Add(new RemovedLayer(id, size));
                    committed.Remove(id);
                    doomed.Remove(id);
                }
            }
        }
        return new PruneResult(removedNames, blobs, layers);
    }

    /// <summary>The chain IDs (bottom first) of every manifest of the image that is in the store; an image whose
    /// documents do not read has none (<c>carton image check</c> reports it).</summary>
    internal static List<List<string>> ChainsOf(ImageStore store, ImageRecord record)
    {
        var chains = new List<List<string>>();
        try
        {
            var manifests = new List<Descriptor>();
            if (MediaTypes.IsIndex(record.Target.MediaType))
            {
                var digest = Digest.Parse(record.Target.Digest);
                if (!store.Content.Has(digest)) return chains;
                var index = ManifestDocuments.ParseIndex(store.Content.ReadAllBytes(digest), $"image {record.Name}: index {digest}");
                manifests.AddRange(index.Manifests.Where(m => Digest.TryParse(m.Digest, out var d) && store.Content.Has(d) && MediaTypes.IsManifest(m.MediaType)));
            }
            else manifests.Add(record.Target);
            foreach (var m in manifests)
            {
                try
                {
                    var image = store.Resolve(record.Name, m);
                    if (image.DiffIds.Count > 0 && image.DiffIds.All(LayerDigests.IsValid)) chains.Add(LayerDigests.ChainIds(image.DiffIds));
                }
                catch (CartonException) { }
            }
        }
        catch (CartonException) { }
        return chains;
    }

    private static long DirectorySize(string dir)
    {
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", options)) total += f.Length;
        return total;
    }
}
