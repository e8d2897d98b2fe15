namespace Carton.Docker;

/// <summary>
/// What the Docker API needs of the host's storage beyond the image store's names: a container's writable layer
/// (changes, SizeRw) and the sweep of what no name and no container holds (image prune). The Linux implementation
/// lives with the daemon (the snapshotter and Carton.Images.Linux's ImagePruner).
/// </summary>
public interface IContainerStorage
{
    /// <summary>The changes in <paramref name="containerId"/>'s writable layer against its image, sorted by path; null
    /// when the container has no writable layer the daemon can read.</summary>
    IReadOnlyList<Models.ContainerChange>? Changes(string containerId);

    /// <summary>The bytes of <paramref name="containerId"/>'s writable layer (0 when none).</summary>
    long WritableSize(string containerId);

    /// <summary>Removes the blobs and unpacked layers that no name and no container holds any more (after names were
    /// removed); returns the bytes freed.</summary>
    Task<long> SweepImagesAsync(CancellationToken cancellationToken);
}
