using Carton.Images.Content;

namespace Carton.Images.Linux.Maintenance;

/// <summary>An unpacked layer a prune removed, and the bytes its files took.</summary>
public sealed record RemovedLayer(string ChainId, long Size);

/// <summary>What a prune removed: names (with --all), blobs, unpacked layers.</summary>
public sealed record PruneResult(IReadOnlyList<string> RemovedNames, IReadOnlyList<RemovedBlob> RemovedBlobs, IReadOnlyList<RemovedLayer> RemovedLayers)
{
    /// <summary>The bytes the removed blobs and layers took.</summary>
    public long ReclaimedBytes => RemovedBlobs.Sum(b => b.Size) + RemovedLayers.Sum(l => l.Size);
}
