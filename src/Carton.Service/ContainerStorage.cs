using Carton.Docker;
using Carton.Docker.Models;
using Carton.Images.Content;
using Carton.Images.Linux.Maintenance;
using Carton.Images.Linux.Snapshots;

namespace Carton.Service;

/// <summary>The Docker API's view of the host's storage on Linux: a container's writable layer is its compute
/// system's active snapshot in the image root's snapshotter (<see cref="SnapshotChanges"/>), and the image sweep is
/// <see cref="ImagePruner"/> without --all (the Docker layer has already removed the names it prunes).</summary>
internal sealed class ContainerStorage(ImageStore images) : IContainerStorage
{
    /// <summary>The compute service's key for a system's snapshot (Carton.Compute.Linux's ImageRootfs.SnapshotKey).</summary>
    private static string SnapshotKey(string id) => "compute-" + id;

    private ActiveSnapshot? SnapshotOf(string id)
    {
        var dir = Path.Combine(images.Root, "snapshots");
        return Directory.Exists(dir) ? new Snapshotter(dir).Find(SnapshotKey(id)) : null;
    }

    public IReadOnlyList<ContainerChange>? Changes(string containerId) =>
        SnapshotOf(containerId) is { } snapshot
            ? [.. SnapshotChanges.Of(snapshot).Select(c => new ContainerChange { Path = c.Path, Kind = (int)c.Kind })]
            : null;

    public long WritableSize(string containerId) => SnapshotOf(containerId) is { } snapshot ? SnapshotChanges.UpperSize(snapshot) : 0;

    public async Task<long> SweepImagesAsync(CancellationToken cancellationToken) =>
        (await ImagePruner.PruneAsync(images, all: false, cancellationToken)).ReclaimedBytes;
}
