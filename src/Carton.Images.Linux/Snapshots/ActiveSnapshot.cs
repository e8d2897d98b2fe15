namespace Carton.Images.Linux.Snapshots;

/// <summary>
/// A container's writable snapshot: an upper and a work directory over the read-only layers of
/// <see cref="ParentChainId"/>. <see cref="Snapshotter.Mount"/> mounts it; <see cref="Snapshotter.Remove"/> deletes the
/// upper and work directories and nothing else.
/// </summary>
/// <param name="Key">The caller's name for it (a container id): ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$.</param>
/// <param name="ParentChainId">The chain ID of the top layer below it, or null for an empty root.</param>
/// <param name="Directory">Its directory: upper/, work/ and its record.</param>
/// <param name="UpperDir">What the container writes.</param>
/// <param name="WorkDir">overlayfs' work directory (same file system as the upper).</param>
/// <param name="LowerDirs">The layers' directories, top first, as overlayfs takes them.</param>
public sealed record ActiveSnapshot(string Key, string? ParentChainId, string Directory, string UpperDir, string WorkDir, IReadOnlyList<string> LowerDirs);
