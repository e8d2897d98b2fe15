using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Carton.Images.Linux.Unpack;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Mounts;

namespace Carton.Images.Linux.Snapshots;

/// <summary>
/// Unpacked layers and containers' writable snapshots over them, as containerd's overlayfs snapshotter keeps them.
/// Each layer is unpacked once, in overlayfs' whiteout form, into a directory named by its chain ID and shared by
/// every image whose stack reaches the same chain ID. Layout under <see cref="Root"/> (docs/images.md):
/// <code>
/// sha256-&lt;hex&gt;/          a committed layer (its chain ID): fs/ (the layer), diffid, parent (the chain ID below)
/// .active/&lt;key&gt;/        a container's snapshot: upper/, work/, parent
/// .locks/sha256-&lt;hex&gt;    one flock file a chain ID: the unpack of that layer
/// .lock                 the store's lock: commits, prepare, removals (held briefly, never during an unpack)
/// .tmp/                 unpacks in progress, removals on their way out
/// </code>
/// A layer is unpacked into .tmp, synced, and renamed to its chain ID (renameat2 RENAME_NOREPLACE): a crash leaves
/// no half layer under a chain ID. Two processes ensuring the same layer take its lock in turn; the second finds the
/// layer committed and unpacks nothing.
/// </summary>
public sealed partial class Snapshotter
{
    private const string Active = ".active", Locks = ".locks", Tmp = ".tmp", LockFile = ".lock", RemovingPrefix = "removing.";

    /// <summary>A store. Created (0700) when missing. <paramref name="rootless"/>: layers in the rootless form (no
    /// device nodes, user.overlay.* whiteout markers) and overlays mounted with userxattr. <paramref name="uidMap"/> and
    /// <paramref name="gidMap"/> shift the layers' ids on disk; a store holds one mapping (the chain ID names the
    /// content, not the ids it was written with).</summary>
    public Snapshotter(string root, bool rootless = false, IReadOnlyList<IdRange>? uidMap = null, IReadOnlyList<IdRange>? gidMap = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Rootless = rootless;
        UidMap = uidMap;
        GidMap = gidMap;
        MakeDirectory(Root, 0x1C0);
        foreach (var dir in new[] { Active, Locks, Tmp }) MakeDirectory(Path.Combine(Root, dir), 0x1C0);
        // Removals renamed away but not finished (a crash): nothing refers to them any more.
        foreach (var name in FileTree.ReadNamesOf(Path.Combine(Root, Tmp)))
            if (name.StartsWith(RemovingPrefix, StringComparison.Ordinal)) RemoveTree(Path.Combine(Root, Tmp), name);
    }

    public string Root { get; }
    public bool Rootless { get; }
    public IReadOnlyList<IdRange>? UidMap { get; }
    public IReadOnlyList<IdRange>? GidMap { get; }

    /// <summary>Makes sure every layer of the stack is unpacked; returns the top chain ID (a snapshot's parent).</summary>
    public string EnsureLayers(IReadOnlyList<LayerSource> layers) => Ensure(layers).TopChainId;

    /// <summary>
    /// Makes sure every layer of the stack (bottom first) is unpacked and committed under its chain ID, unpacking
    /// the missing ones in order, each checked against its DiffID. A layer's stream is opened only when it has to be
    /// unpacked. Errors name the layer; nothing half-written stays under a chain ID.
    /// </summary>
    public EnsureResult Ensure(IReadOnlyList<LayerSource> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new CartonException(ErrorKind.InvalidDocument, "an image needs at least one layer");
        var diffIds = new List<string>(layers.Count);
        foreach (var l in layers) diffIds.Add(LayerDigests.Validate(l.DiffId, "layer diffID"));
        var chainIds = LayerDigests.ChainIds(diffIds);
        var unpacked = new List<string>();
        var results = new List<LayerUnpackResult>();
        for (int i = 0; i < layers.Count; i++)
        {
            var chainId = chainIds[i];
            if (IsCommitted(chainId)) continue;
            var file = LayerDigests.FileName(chainId);
            using var chainLock = StoreLock.Take(Path.Combine(Root, Locks, file), $"layer {diffIds[i]}");
            if (IsCommitted(chainId)) continue; // unpacked by someone else while this caller waited
            results.Add(UnpackAndCommit(layers[i], chainId, i == 0 ? null : chainIds[i - 1]));
            unpacked.Add(chainId);
        }
        return new EnsureResult(chainIds[^1], chainIds, unpacked, results);
    }

    private LayerUnpackResult UnpackAndCommit(LayerSource layer, string chainId, string? parentChainId)
    {
        var file = LayerDigests.FileName(chainId);
        var tmpRoot = Path.Combine(Root, Tmp);
        // Left by an unpack of this chain ID that died: its writer held the lock this caller holds now.
        foreach (var name in FileTree.ReadNamesOf(tmpRoot))
            if (name.StartsWith(file + ".", StringComparison.Ordinal)) RemoveTree(tmpRoot, name);

        var tmpName = file + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var tmp = Path.Combine(tmpRoot, tmpName);
        MakeDirectory(tmp, 0x1C0);
        try
        {
            var options = new UnpackOptions
            {
                Whiteouts = WhiteoutMode.Overlay,
                Rootless = Rootless,
                UidMap = UidMap,
                GidMap = GidMap,
                ExpectedDiffId = layer.DiffId,
                ParentLayers = parentChainId is null ? null : LowerDirs(parentChainId),
                Sync = false,
            };
            LayerUnpackResult result;
            using (var stream = layer.Open())
                result = LayerUnpacker.Unpack(stream, Path.Combine(tmp, "fs"), options);
            File.WriteAllText(Path.Combine(tmp, "diffid"), layer.DiffId);
            if (parentChainId is not null) File.WriteAllText(Path.Combine(tmp, "parent"), parentChainId);
            int tmpFd = FileDescriptor.Open(tmp, OpenFlags.ReadOnly | OpenFlags.Directory, $"layer {layer.DiffId}: open {tmp}");
            try { FileSystemSync.Sync(tmpFd, $"layer {layer.DiffId}: syncfs {tmp}"); }
            finally { FileDescriptor.Close(tmpFd); }

            using (StoreLock.Take(Path.Combine(Root, LockFile), "snapshots"))
            {
                if (parentChainId is not null && !IsCommitted(parentChainId))
                    throw new CartonException(ErrorKind.InvalidState, $"layer {layer.DiffId}: its parent {parentChainId} was removed while it was unpacked");
                int rootFd = FileDescriptor.Open(Root, OpenFlags.ReadOnly | OpenFlags.Directory, $"open {Root}");
                try
                {
                    int rc = FileTree.TryRename(rootFd, Path.Combine(Tmp, tmpName), rootFd, file, noReplace: true);
                    if (rc == Errno.EEXIST) RemoveTree(tmpRoot, tmpName); // committed meanwhile by a caller that lost its lock file
                    else if (rc != 0) throw new SyscallException($"layer {layer.DiffId}: commit {tmp} as {file}", rc);
                    FileDescriptor.Sync(rootFd, $"fsync {Root}");
                }
                finally { FileDescriptor.Close(rootFd); }
            }
            return result;
        }
        catch
        {
            RemoveTree(tmpRoot, tmpName);
            throw;
        }
    }

    /// <summary>True when the chain ID is committed in the store.</summary>
    public bool IsCommitted(string chainId) =>
        FileStatus.OfPath(Path.Combine(Root, LayerDigests.FileName(chainId), "fs"), followSymlinks: false) is { IsDirectory: true };

    /// <summary>The unpacked layer of a committed chain ID (an overlayfs lower directory).</summary>
    public string LayerPath(string chainId) => Path.Combine(Root, LayerDigests.FileName(chainId), "fs");

    /// <summary>The layers of a committed stack, top first (overlayfs' lowerdir order), read from the parent records.</summary>
    public IReadOnlyList<string> LowerDirs(string chainId)
    {
        var dirs = new List<string>();
        for (string? id = chainId; id is not null; id = ReadParent(Path.Combine(Root, LayerDigests.FileName(id))))
        {
            if (!IsCommitted(id)) throw new CartonException(ErrorKind.NotFound, $"layer {id} is not in the snapshot store {Root}");
            if (dirs.Count == OverlayFs.MaxLowerLayers)
                throw new CartonException(ErrorKind.Unsupported, $"layer {chainId}: more than {OverlayFs.MaxLowerLayers} layers, the most one overlay takes");
            dirs.Add(LayerPath(id));
        }
        return dirs;
    }

    /// <summary>The committed layers in the store.</summary>
    public IReadOnlyList<CommittedLayer> ListLayers()
    {
        var layers = new List<CommittedLayer>();
        foreach (var name in FileTree.ReadNamesOf(Root))
        {
            if (name.StartsWith('.')) continue;
            var chainId = ChainIdOf(name);
            if (chainId is null || !IsCommitted(chainId)) continue;
            var dir = Path.Combine(Root, name);
            // A layer whose records do not read is left out (nothing may remove or stack on it); Check reports it.
            try { layers.Add(new CommittedLayer(chainId, File.ReadAllText(Path.Combine(dir, "diffid")).Trim(), ReadParent(dir), Path.Combine(dir, "fs"))); }
            catch (Exception e) when (e is IOException or CartonException) { }
        }
        layers.Sort((a, b) => string.CompareOrdinal(a.ChainId, b.ChainId));
        return layers;
    }

    /// <summary>
    /// A new writable snapshot <paramref name="key"/> over <paramref name="parentChainId"/> (committed; null for an
    /// empty root): an empty upper directory that takes the owner and mode of the top layer's root (so the container
    /// sees the image's "/", and an id-mapped store's root belongs to the mapped root), and a work directory.
    /// AlreadyExists when the key is taken.
    /// </summary>
    public ActiveSnapshot Prepare(string key, string? parentChainId)
    {
        ValidateKey(key);
        if (parentChainId is not null) LayerDigests.Validate(parentChainId, "parent chain ID");
        var dir = Path.Combine(Root, Active, key);
        using (StoreLock.Take(Path.Combine(Root, LockFile), "snapshots"))
        {
            IReadOnlyList<string> lowers = parentChainId is null ? [] : LowerDirs(parentChainId);
            int rc = Directories.TryCreate(dir, 0x1C0);
            if (rc == Errno.EEXIST) throw new CartonException(ErrorKind.AlreadyExists, $"snapshot {key} already exists in {Root}");
            if (rc != 0) throw new SyscallException($"snapshot {key}: mkdir {dir}", rc);
            try
            {
                var upper = Path.Combine(dir, "upper");
                var work = Path.Combine(dir, "work");
                MakeDirectory(upper, 0x1ED);
                MakeDirectory(work, 0x1C0);
                if (lowers.Count > 0 && FileStatus.OfPath(lowers[0], followSymlinks: false) is { } top)
                {
                    // The work directory too: in a user namespace the overlay's mounter (the namespace's root) must own it.
                    CopyOwner(upper, top, key, mode: true);
                    CopyOwner(work, top, key, mode: false);
                }
                File.WriteAllText(Path.Combine(dir, "parent"), parentChainId ?? "");
            }
            catch
            {
                RemoveTree(Path.Combine(Root, Active), key);
                throw;
            }
            return Describe(key, parentChainId, lowers);
        }
    }

    /// <summary>The active snapshot <paramref name="key"/>, or null.</summary>
    public ActiveSnapshot? Find(string key)
    {
        ValidateKey(key);
        var dir = Path.Combine(Root, Active, key);
        if (!File.Exists(Path.Combine(dir, "parent"))) return null;
        var parent = ReadParent(dir);
        return Describe(key, parent, parent is null ? [] : LowerDirs(parent));
    }

    /// <summary>Every active snapshot, by key.</summary>
    public IReadOnlyList<ActiveSnapshot> ListActive()
    {
        var list = new List<ActiveSnapshot>();
        foreach (var key in FileTree.ReadNamesOf(Path.Combine(Root, Active)))
            if (KeyPattern().IsMatch(key) && Find(key) is { } s) list.Add(s);
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    /// <summary>
    /// Mounts the snapshot on <paramref name="target"/> (an existing directory): an overlay of its layers under its
    /// upper directory (layers given to the kernel as fds where it can, see <see cref="OverlayMountMethod"/>), or a
    /// bind of the upper directory when it has no parent. The caller unmounts (<see cref="Unmount"/>) before
    /// <see cref="Remove"/>.
    /// </summary>
    public OverlayMountMethod Mount(ActiveSnapshot snapshot, string target, OverlayMountMethod method = OverlayMountMethod.Auto)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.LowerDirs.Count == 0)
        {
            MountPoints.Bind(snapshot.UpperDir, target, recursive: false, $"snapshot {snapshot.Key}: bind {snapshot.UpperDir} on {target}");
            return method;
        }
        return OverlayFs.Mount(snapshot.LowerDirs, snapshot.UpperDir, snapshot.WorkDir, target, Rootless, method);
    }

    /// <summary>The mount(8) options of the snapshot's overlay, for a runtime that mounts it itself (a config.json
    /// mount of type overlay). Bound by the kernel's one-page limit on mount data: <see cref="Mount"/> is not.</summary>
    public string MountOptions(ActiveSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return OverlayFs.Options(snapshot.LowerDirs, snapshot.UpperDir, snapshot.WorkDir, Rootless);
    }

    /// <summary>
    /// A read-only view of a committed stack on <paramref name="target"/>: one layer is a read-only bind of its
    /// directory (overlayfs without an upper directory wants two lower layers at least, and a bind is all one layer
    /// needs: its whiteouts and opaque markers hide nothing when nothing is below), more layers an overlay of lower
    /// layers only, read-only by construction.
    /// </summary>
    public void MountReadOnly(string chainId, string target)
    {
        var lowers = LowerDirs(chainId);
        if (lowers.Count == 1) OverlayFs.ReadOnlyBind(lowers[0], target);
        else OverlayFs.Mount(lowers, null, null, target, Rootless);
    }

    /// <summary>Unmounts what <see cref="Mount"/> or <see cref="MountReadOnly"/> mounted on <paramref name="target"/>.</summary>
    public static void Unmount(string target)
    {
        int rc = MountPoints.TryUnmount(target);
        if (rc != 0) throw new SyscallException($"unmount {target}", rc);
    }

    /// <summary>Removes the active snapshot <paramref name="key"/>: its upper and work directories and its record,
    /// nothing else (the layers stay). NotFound when there is none.</summary>
    public void Remove(string key)
    {
        ValidateKey(key);
        var removing = RemovingPrefix + key + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using (StoreLock.Take(Path.Combine(Root, LockFile), "snapshots"))
        {
            if (!RenameAway(Path.Combine(Active, key), removing))
                throw new CartonException(ErrorKind.NotFound, $"snapshot {key} does not exist in {Root}");
        }
        RemoveTree(Path.Combine(Root, Tmp), removing);
    }

    /// <summary>
    /// Removes a committed layer when nothing refers to it: no committed layer above it and no active snapshot over
    /// it (InvalidState naming them otherwise). Images are not tracked here: which layers an image still needs is
    /// the image store's to say (`carton image prune`: Carton.Images.Linux's ImagePruner).
    /// </summary>
    public void RemoveLayer(string chainId)
    {
        LayerDigests.Validate(chainId, "chain ID");
        var file = LayerDigests.FileName(chainId);
        var removing = RemovingPrefix + file + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using (StoreLock.Take(Path.Combine(Root, LockFile), "snapshots"))
        {
            if (!IsCommitted(chainId)) throw new CartonException(ErrorKind.NotFound, $"layer {chainId} is not in the snapshot store {Root}");
            var users = new List<string>();
            foreach (var layer in ListLayers())
                if (layer.ParentChainId == chainId) users.Add("layer " + layer.ChainId);
            foreach (var key in FileTree.ReadNamesOf(Path.Combine(Root, Active)))
                if (ReadParent(Path.Combine(Root, Active, key)) == chainId) users.Add("snapshot " + key);
            if (users.Count > 0)
                throw new CartonException(ErrorKind.InvalidState, $"layer {chainId} is in use by {string.Join(", ", users)}");
            RenameAway(file, removing);
            File.Delete(Path.Combine(Root, Locks, file));
        }
        RemoveTree(Path.Combine(Root, Tmp), removing);
    }

    private static void CopyOwner(string path, FileStatus from, string key, bool mode)
    {
        int fd = FileDescriptor.Open(path, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow, $"snapshot {key}: open {path}");
        try
        {
            int rc = FileMetadata.TrySetOwner(fd, from.Uid, from.Gid);
            if (rc != 0) throw new SyscallException($"snapshot {key}: chown {path}", rc);
            rc = mode ? FileMetadata.TrySetMode(fd, from.Mode) : 0;
            if (rc != 0) throw new SyscallException($"snapshot {key}: chmod {path}", rc);
        }
        finally { FileDescriptor.Close(fd); }
    }

    private ActiveSnapshot Describe(string key, string? parent, IReadOnlyList<string> lowers)
    {
        var dir = Path.Combine(Root, Active, key);
        return new ActiveSnapshot(key, parent, dir, Path.Combine(dir, "upper"), Path.Combine(dir, "work"), lowers);
    }

    /// <summary>Renames <paramref name="relative"/> (under the root) into .tmp as <paramref name="tmpName"/>; false when
    /// it does not exist.</summary>
    private bool RenameAway(string relative, string tmpName)
    {
        int rootFd = FileDescriptor.Open(Root, OpenFlags.ReadOnly | OpenFlags.Directory, $"open {Root}");
        try
        {
            int rc = FileTree.TryRename(rootFd, relative, rootFd, Path.Combine(Tmp, tmpName), noReplace: true);
            if (rc == Errno.ENOENT) return false;
            if (rc != 0) throw new SyscallException($"rename {Path.Combine(Root, relative)} away", rc);
            return true;
        }
        finally { FileDescriptor.Close(rootFd); }
    }

    private static string? ReadParent(string dir)
    {
        var file = Path.Combine(dir, "parent");
        if (!File.Exists(file)) return null;
        var text = File.ReadAllText(file).Trim();
        return text.Length == 0 ? null : LayerDigests.Validate(text, $"{file}");
    }

    private static string? ChainIdOf(string fileName)
    {
        int dash = fileName.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0) return null;
        var id = string.Concat(fileName.AsSpan(0, dash), ":", fileName.AsSpan(dash + 1));
        return LayerDigests.IsValid(id) ? id : null;
    }

    private static void MakeDirectory(string path, int mode)
    {
        int rc = Directories.TryCreate(path, mode);
        if (rc != 0 && rc != Errno.EEXIST) throw new SyscallException($"mkdir {path}", rc);
    }

    private static void RemoveTree(string parent, string name)
    {
        int fd = FileDescriptor.Open(parent, OpenFlags.PathOnly | OpenFlags.Directory, $"open {parent}");
        try { FileTree.RemoveAll(fd, name, $"remove {Path.Combine(parent, name)}"); }
        finally { FileDescriptor.Close(fd); }
    }

    private static void ValidateKey(string key)
    {
        if (key is null || key.Length > 256 || !KeyPattern().IsMatch(key))
            throw new CartonException(ErrorKind.InvalidDocument, $"invalid snapshot key \"{key}\": must match ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$");
    }

    // \z, not $: "$" also matches before a final newline (docs/security.md row 8).
    [GeneratedRegex(@"\A[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\z")]
    private static partial Regex KeyPattern();
}
