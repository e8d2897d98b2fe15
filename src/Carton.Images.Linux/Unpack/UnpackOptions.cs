namespace Carton.Images.Linux.Unpack;

/// <summary>What a layer's whiteouts (image-spec layer.md#whiteouts) become.</summary>
public enum WhiteoutMode
{
    /// <summary>
    /// overlayfs' own form, for a layer directory used as an overlay lower layer: ".wh.NAME" becomes a 0/0 character
    /// device NAME, ".wh..wh..opq" the opaque xattr on its directory (trusted.overlay.opaque=y, or
    /// user.overlay.opaque=y when <see cref="UnpackOptions.Rootless"/>: the overlay is then mounted with userxattr).
    /// </summary>
    Overlay,
    /// <summary>
    /// Applied by deletion, for flattening layers into one plain directory (a bundle's rootfs): ".wh.NAME" deletes
    /// NAME as the earlier layers left it, ".wh..wh..opq" deletes what the earlier layers put in its directory. What
    /// the same layer adds is never deleted (layer.md: whiteouts apply to lower layers only), whatever the order.
    /// </summary>
    Apply,
}

/// <summary>One range of a user-namespace id mapping (runtime-spec config-linux.md#user-namespace-mappings): ids
/// <see cref="ContainerId"/> .. +<see cref="Size"/>-1 in the image are <see cref="HostId"/> .. on disk.</summary>
public readonly record struct IdRange(uint ContainerId, uint HostId, uint Size);

/// <summary>How a layer is unpacked.</summary>
public sealed record UnpackOptions
{
    /// <summary>Overlay whiteouts (the default, for snapshots) or applied by deletion (for a flat rootfs).</summary>
    public WhiteoutMode Whiteouts { get; init; } = WhiteoutMode.Overlay;

    /// <summary>
    /// The unpack runs for a rootless user (in a user namespace, or for one): device nodes are skipped (a device
    /// node owned by the user would give them the device; the kernel refuses mknod in a user namespace anyway, as
    /// containerd and podman skip them), the opaque marker is user.overlay.opaque, and an xattr the kernel refuses
    /// with EPERM (trusted.*, security.* other than capabilities) is skipped with a warning.
    /// </summary>
    public bool Rootless { get; init; }

    /// <summary>uid mapping from the image's ids to the ids on disk; null keeps the ids. An id outside every range
    /// fails the unpack naming the entry.</summary>
    public IReadOnlyList<IdRange>? UidMap { get; init; }

    /// <summary>gid mapping, as <see cref="UidMap"/>.</summary>
    public IReadOnlyList<IdRange>? GidMap { get; init; }

    /// <summary>The DiffID the uncompressed tar must hash to ("sha256:…"); the unpack fails (and leaves nothing)
    /// when it does not. Null: computed and returned, not checked.</summary>
    public string? ExpectedDiffId { get; init; }

    /// <summary>What errors call the layer; defaults to <see cref="ExpectedDiffId"/>, else "(unnamed layer)".</summary>
    public string? LayerName { get; init; }

    /// <summary>
    /// The directories of the layers below, top first (overlay form only). A directory an entry needs but the layer
    /// does not declare is made with the owner, mode and mtime it has in the first of these that holds it (as
    /// containerd's mkparent), so the overlay's merged view keeps them; otherwise 0755, the caller's ids, now.
    /// </summary>
    public IReadOnlyList<string>? ParentLayers { get; init; }

    /// <summary>syncfs the layer's file system once when the layer is written (true by default; the snapshotter
    /// relies on it before its commit rename).</summary>
    public bool Sync { get; init; } = true;

    internal string Name => LayerName ?? ExpectedDiffId ?? "(unnamed layer)";

    // ---- docker cp into a container (Archive.RootfsArchive.ExtractTarAsync): not a layer, plain files ----------

    /// <summary>The tar is a plain archive, not a layer: ".wh." names are ordinary files, and an entry for the
    /// extraction directory itself ("." or "./") is skipped (the directory keeps its own owner, mode and times, as
    /// Docker's Unpack does).</summary>
    internal bool PlainArchive { get; init; }

    /// <summary>Where the entries go, relative to the root fd ("" for the root): the extraction directory's path
    /// inside the container. The ".." check applies to the entry's own name, before this is put in front.</summary>
    internal string Prefix { get; init; } = "";

    /// <summary>Docker's noOverwriteDirNonDir: an entry that would replace a directory by a non-directory, or the
    /// reverse, fails instead.</summary>
    internal bool NoOverwriteDirNonDir { get; init; }

    /// <summary>Every entry is owned by these ids instead of the archive's (Docker's ChownOpts).</summary>
    internal (uint Uid, uint Gid)? ChownTo { get; init; }
}
