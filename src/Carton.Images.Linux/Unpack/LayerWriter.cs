using System.Formats.Tar;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Rootfs;
using Carton.Linux.Security;

namespace Carton.Images.Linux.Unpack;

/// <summary>
/// Writes one layer's entries under an open root directory. Every path is resolved from the root fd with
/// openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) (<see cref="SecurePath"/>): a symlink planted by an earlier entry or
/// an earlier layer resolves inside the root, never on the host. The last component is never followed: an existing
/// entry is removed and the new one made with O_CREAT|O_EXCL|O_NOFOLLOW, mknodat, symlinkat or linkat, and its
/// owner, mode, xattrs and times are set through the fd or with the no-follow calls.
/// </summary>
internal sealed class LayerWriter : IDisposable
{
    private const string OpaqueName = ".wh..wh..opq", WhiteoutPrefix = ".wh.", WhiteoutMetaPrefix = ".wh..wh.";
    private const uint S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFIFO = 0x1000;

    private readonly int _rootFd;
    private readonly UnpackOptions _options;
    private readonly bool _fresh;
    private readonly string _layer;
    private readonly byte[] _buffer;
    private readonly List<string> _warnings = [];

    // The defences (docs/security.md, "Layer unpack"), read once: each can be switched off in a mutation build only.
    private readonly bool _pathCheck = !Defences.IsDisabled("layer-path-check");
    private readonly bool _resolveInRoot = !Defences.IsDisabled("layer-resolve-in-root");
    private readonly bool _noFollowFinal = !Defences.IsDisabled("layer-no-follow-final");
    private readonly bool _hardlinkInRoot = !Defences.IsDisabled("layer-hardlink-in-root");
    private readonly bool _rootlessNoDevices = !Defences.IsDisabled("layer-rootless-no-devices");
    private readonly bool _shortDataCheck = !Defences.IsDisabled("layer-short-data");

    /// <summary>Paths this layer made, and their ancestors: what its whiteouts must not delete (layer.md#whiteouts:
    /// a whiteout applies to the lower layers only, wherever it sits in the archive).</summary>
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);

    /// <summary>Directories whose mtime is set last, once nothing is written into them any more.</summary>
    private readonly List<(string Path, long Sec, long Nsec)> _directoryTimes = [];

    // The parent directory of the last entry: entries come grouped by directory, so one cached fd saves an openat2
    // for most of them. Dropped whenever something is removed or a symlink made (either can change what a path means).
    private string? _cachedParent;
    private int _cachedFd = -1;
    private bool _cacheStale;

    private string _entry = "";
    private byte[]? _rawPax;

    public long Bytes { get; private set; }
    public IReadOnlyList<string> Warnings => _warnings;

    public LayerWriter(int rootFd, UnpackOptions options, bool fresh, byte[] buffer)
    {
        _rootFd = rootFd;
        _options = options;
        _fresh = fresh;
        _layer = options.Name;
        _buffer = buffer;
    }

    private bool Overlay => _options.Whiteouts == WhiteoutMode.Overlay;

    /// <summary>Applies one entry; <paramref name="rawPax"/> is the PAX header that came with it, as bytes.</summary>
    public void Write(TarEntry e, byte[]? rawPax)
    {
        _entry = e.Name;
        _rawPax = rawPax;
        var type = e.EntryType;
        // Old archives mark a directory by a trailing "/" on a regular-file entry (as GNU tar and Go read them).
        if (type is TarEntryType.V7RegularFile or TarEntryType.RegularFile && e.Name.EndsWith('/')) type = TarEntryType.Directory;
        var path = EntryPath.Clean(e.Name, _pathCheck, out var why) ?? throw Invalid(why!);
        if (_options.PlainArchive)
        {
            // The extraction directory itself: it keeps its attributes (Docker skips "." when it is a directory).
            if (path.Length == 0) return;
            path = Prefixed(path);
        }
        var name = EntryPath.BaseName(path);
        var parent = EntryPath.Parent(path);

        if (!_options.PlainArchive && name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            if (name == OpaqueName) Opaque(parent);
            else if (name.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal)) { } // aufs metadata (.wh..wh.plnk): ignored, as containerd does
            else
            {
                var hidden = name[WhiteoutPrefix.Length..];
                if (hidden is "" or "." or "..") throw Invalid($"\"{name}\" is not a whiteout of any name");
                Whiteout(parent, hidden);
            }
            return;
        }

        var ids = Ownership(e);
        if (path.Length == 0)
        {
            if (type != TarEntryType.Directory) throw Invalid($"a {type} entry cannot replace the layer root");
            DirectoryMetadata(_rootFd, "", e, ids, rawPax);
            return;
        }

        int parentFd = ParentFd(parent);
        if (_options.NoOverwriteDirNonDir && FileStatus.TryOfAt(parentFd, name, followSymlinks: false, out var existing)
            && existing.IsDirectory != (type == TarEntryType.Directory))
            throw Invalid(existing.IsDirectory
                ? $"cannot overwrite the directory {Show(path)} with a non-directory"
                : $"cannot overwrite the non-directory {Show(path)} with a directory");
        switch (type)
        {
            case TarEntryType.Directory: MakeDirectory(parentFd, name, path, e, ids, rawPax); break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                // GNU sparse files in PAX form (GNU.sparse.*) look like regular files whose data is a sparse map and
                // the non-zero blocks: written as they are, the file would be wrong. layer.md: sparse files SHOULD NOT
                // be used. (The old GNU 'S' type is refused by TarReader itself.)
                if (e is PaxTarEntry sparse && IsSparse(sparse)) throw Invalid("a GNU sparse file: not supported in a layer (image-spec layer.md: sparse files SHOULD NOT be used)");
                WriteFile(parentFd, name, e, ids, rawPax); break;
            case TarEntryType.HardLink: Hardlink(parentFd, name, path, e); break;
            case TarEntryType.SymbolicLink: Symlink(parentFd, name, e, ids, rawPax); break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                if (!MakeNode(parentFd, name, type, e, ids, rawPax)) return;
                break;
            default: throw Invalid($"entry type {type} ('{(char)type}') is not supported in a layer");
        }
        Touch(path);
    }

    /// <summary>Sets the directories' times, then syncs the file system once for the whole layer.</summary>
    public void Finish()
    {
        _entry = "";
        CloseCache();
        foreach (var (path, sec, nsec) in _directoryTimes)
        {
            int fd = path.Length == 0 ? _rootFd : SecurePath.TryOpen(_rootFd, path, (int)(OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow));
            if (fd < 0) continue; // replaced by a later entry of the layer, or removed by a whiteout
            try { Check(FileMetadata.TrySetTimes(fd, sec, nsec, sec, nsec), $"set the times of {Show(path)}"); }
            finally { if (fd != _rootFd) FileDescriptor.Close(fd); }
        }
        if (_options.Sync)
        {
            try { FileSystemSync.Sync(_rootFd, "syncfs"); }
            catch (SyscallException ex) { throw new LayerException(ex.Kind, _layer, null, ex.Message, ex, ex.Errno); }
        }
    }

    public void Dispose() => CloseCache();

    // ---- entry types ------------------------------------------------------------------------------------------

    private void MakeDirectory(int parentFd, string name, string path, TarEntry e, (uint Uid, uint Gid) ids, byte[]? rawPax)
    {
        bool opaque = false;
        int rc = FileTree.TryMakeDirectory(parentFd, name, 0x1C0 /* 0700 until its mode is set */);
        if (rc == Errno.EEXIST)
        {
            if (!FileStatus.TryOfAt(parentFd, name, followSymlinks: false, out var st)) Fail(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), $"stat {Show(path)}");
            if (!st.IsDirectory)
            {
                // A directory over this layer's whiteout of the same name (".wh.b" then "b/"): in overlay form it must
                // hide the lower "b" entirely, so it is opaque, as the deletion form would have left it empty.
                opaque = Overlay && st.IsCharacterDevice && st.Rdev == 0;
                RemoveExisting(parentFd, name);
                rc = FileTree.TryMakeDirectory(parentFd, name, 0x1C0);
            }
            else rc = 0; // directory over directory: the existing one takes the entry's attributes (layer.md)
        }
        Check(rc, "mkdir");
        int fd = FileTree.TryOpenAt(parentFd, name, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow);
        if (fd < 0) Fail(-fd, "open the directory");
        try
        {
            if (opaque) SetOpaque(fd);
        }
        finally { FileDescriptor.Close(fd); }
        DirectoryMetadata(parentFd, name, e, ids, rawPax, path);
    }

    /// <summary>Owner, mode and xattrs of a directory now; its times at <see cref="Finish"/>.</summary>
    private void DirectoryMetadata(int parentFd, string name, TarEntry e, (uint Uid, uint Gid) ids, byte[]? rawPax, string? path = null)
    {
        path ??= name;
        int fd = name.Length == 0 ? _rootFd : FileTree.TryOpenAt(parentFd, name, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow);
        if (fd < 0) Fail(-fd, "open the directory");
        try
        {
            Check(FileMetadata.TrySetOwner(fd, ids.Uid, ids.Gid), "chown");
            Check(FileMetadata.TrySetMode(fd, (uint)e.Mode), "chmod");
            SetXattrs(fd, -1, null, rawPax, e);
        }
        finally { if (fd != _rootFd) FileDescriptor.Close(fd); }
        var (sec, nsec) = Times(e);
        _directoryTimes.Add((path, sec, nsec));
    }

    private void WriteFile(int parentFd, string name, TarEntry e, (uint Uid, uint Gid) ids, byte[]? rawPax)
    {
        const OpenFlags Create = OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow;
        int fd;
        if (!_noFollowFinal)
        {
            // What a naive extractor does: open for writing, following a symlink left at the name.
            fd = FileTree.TryOpenAt(parentFd, name, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate, 0x180);
        }
        else
        {
            fd = FileTree.TryOpenAt(parentFd, name, Create, 0x180 /* 0600 until its mode is set */);
            if (fd == -Errno.EEXIST)
            {
                RemoveExisting(parentFd, name);
                fd = FileTree.TryOpenAt(parentFd, name, Create, 0x180);
            }
        }
        if (fd < 0) Fail(-fd, "create the file");
        try
        {
            long expected = e.Length, written = 0;
            if (e.DataStream is { } data)
            {
                while (true)
                {
                    int n = data.Read(_buffer, 0, _buffer.Length);
                    if (n == 0) break;
                    try { FileDescriptor.WriteAll(fd, _buffer.AsSpan(0, n), "write"); }
                    catch (SyscallException ex) { Fail(ex.Errno, "write"); }
                    written += n;
                }
            }
            if (written != expected && _shortDataCheck)
                throw Invalid($"the archive ends inside the entry's data: {written} of the {expected} bytes its header gives");
            Bytes += written;
            // Content first: a write clears setuid/setgid and file capabilities; chown clears them too, so owner,
            // then mode, then xattrs (security.capability), then times.
            Check(FileMetadata.TrySetOwner(fd, ids.Uid, ids.Gid), "chown");
            Check(FileMetadata.TrySetMode(fd, (uint)e.Mode), "chmod");
            SetXattrs(fd, -1, null, rawPax, e);
            var (sec, nsec) = Times(e);
            Check(FileMetadata.TrySetTimes(fd, sec, nsec, sec, nsec), "set the times");
        }
        finally { FileDescriptor.Close(fd); }
    }

    private void Hardlink(int parentFd, string name, string path, TarEntry e)
    {
        var target = EntryPath.Clean(e.LinkName, _pathCheck, out var why) ?? throw Invalid($"hardlink target \"{e.LinkName}\": {why}");
        if (target.Length == 0) throw Invalid("a hardlink to the layer root");
        if (_options.PlainArchive) target = Prefixed(target);
        if (target == path) return; // a link to itself: the file is already there
        int rc;
        if (_hardlinkInRoot)
        {
            // The target is looked up inside the root (a symlink on the way resolves there too) and its last component
            // is not followed: a hardlink to a symlink links the symlink, as link(2) does.
            int targetFd = SecurePath.TryOpen(_rootFd, target, (int)(OpenFlags.PathOnly | OpenFlags.NoFollow));
            if (targetFd == -Errno.ENOENT || targetFd == -Errno.ENOTDIR)
                throw Invalid($"hardlink target \"{e.LinkName}\" does not exist in the {(_fresh ? "layer" : "root")}");
            if (targetFd < 0) Fail(-targetFd, $"open the hardlink target \"{e.LinkName}\"");
            try
            {
                if (FileStatus.TryOf(targetFd, out var st) && st.IsDirectory) throw Invalid($"hardlink target \"{e.LinkName}\" is a directory");
                rc = FileTree.TryHardlink(targetFd, parentFd, name);
                if (rc == Errno.EEXIST)
                {
                    RemoveExisting(parentFd, name);
                    rc = FileTree.TryHardlink(targetFd, parentFd, name);
                }
            }
            finally { FileDescriptor.Close(targetFd); }
        }
        else
        {
            rc = FileTree.TryHardlinkByPath(_rootFd, target, parentFd, name);
            if (rc == Errno.EEXIST)
            {
                RemoveExisting(parentFd, name);
                rc = FileTree.TryHardlinkByPath(_rootFd, target, parentFd, name);
            }
        }
        Check(rc, $"link to \"{e.LinkName}\"");
    }

    private void Symlink(int parentFd, string name, TarEntry e, (uint Uid, uint Gid) ids, byte[]? rawPax)
    {
        var target = e.LinkName;
        if (target.Length == 0) throw Invalid("a symlink with an empty target");
        if (target.Contains('\0', StringComparison.Ordinal)) throw Invalid("the symlink target holds a NUL byte");
        int rc = FileTree.TryMakeSymlink(target, parentFd, name);
        if (rc == Errno.EEXIST)
        {
            RemoveExisting(parentFd, name);
            rc = FileTree.TryMakeSymlink(target, parentFd, name);
        }
        Check(rc, "symlink");
        DropCache(); // a symlink can change where a cached parent path leads
        Check(FileMetadata.TrySetOwnerNoFollow(parentFd, name, ids.Uid, ids.Gid), "chown");
        SetXattrs(-1, parentFd, name, rawPax, e);
        var (sec, nsec) = Times(e);
        Check(FileMetadata.TrySetTimesNoFollow(parentFd, name, sec, nsec, sec, nsec), "set the times");
    }

    /// <summary>A device or FIFO; false when skipped (a device in a rootless unpack).</summary>
    private bool MakeNode(int parentFd, string name, TarEntryType type, TarEntry e, (uint Uid, uint Gid) ids, byte[]? rawPax)
    {
        uint major = 0, minor = 0, kind = S_IFIFO;
        if (type != TarEntryType.Fifo)
        {
            if (_options.Rootless && _rootlessNoDevices)
            {
                _warnings.Add($"entry \"{_entry}\": {type} skipped: no device nodes in a rootless unpack");
                return false;
            }
            var posix = (PosixTarEntry)e;
            if (posix.DeviceMajor < 0 || posix.DeviceMinor < 0) throw Invalid($"device number {posix.DeviceMajor}:{posix.DeviceMinor}");
            (major, minor) = ((uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
            kind = type == TarEntryType.CharacterDevice ? S_IFCHR : S_IFBLK;
        }
        int rc = FileTree.TryMakeNode(parentFd, name, kind | 0x180, major, minor);
        if (rc == Errno.EEXIST)
        {
            RemoveExisting(parentFd, name);
            rc = FileTree.TryMakeNode(parentFd, name, kind | 0x180, major, minor);
        }
        Check(rc, "mknod");
        Check(FileMetadata.TrySetOwnerNoFollow(parentFd, name, ids.Uid, ids.Gid), "chown");
        Check(FileMetadata.TrySetModeNoFollow(parentFd, name, (uint)e.Mode), "chmod");
        SetXattrs(-1, parentFd, name, rawPax, e);
        var (sec, nsec) = Times(e);
        Check(FileMetadata.TrySetTimesNoFollow(parentFd, name, sec, nsec, sec, nsec), "set the times");
        return true;
    }

    // ---- whiteouts ----------------------------------------------------------------------------------------------

    private void Whiteout(string parent, string hidden)
    {
        var path = EntryPath.Join(parent, hidden);
        if (Overlay)
        {
            int parentFd = ParentFd(parent);
            if (_touched.Contains(path))
            {
                // This layer made the path (the whiteout came after it): only the lower layers' entry is hidden. For a
                // directory that is its opaque marker; anything else already hides the lower entry by being there.
                int fd = FileTree.TryOpenAt(parentFd, hidden, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow);
                if (fd >= 0)
                {
                    try { SetOpaque(fd); }
                    finally { FileDescriptor.Close(fd); }
                }
                return;
            }
            if (!_fresh) RemoveExisting(parentFd, hidden);
            int rc = FileTree.TryMakeNode(parentFd, hidden, S_IFCHR, 0, 0);
            if (rc == Errno.EEXIST)
            {
                RemoveExisting(parentFd, hidden);
                rc = FileTree.TryMakeNode(parentFd, hidden, S_IFCHR, 0, 0);
            }
            Check(rc, $"mknod the whiteout of \"{hidden}\" (0/0 character device)");
            return;
        }

        // Deletion: nothing to do when the parent is not there (nothing below it either).
        int pfd = TryParentFd(parent);
        if (pfd < 0) return;
        if (_touched.Contains(path))
        {
            CleanLower(path);
            return;
        }
        int removed = FileTree.RemoveAll(pfd, hidden, Show(path));
        if (removed == 0) DropCache();
    }

    private void Opaque(string dir)
    {
        if (Overlay)
        {
            int dirFd = DirectoryFd(dir, create: true);
            try
            {
                SetOpaque(dirFd);
                if (!_fresh) CleanLower(dir);
            }
            finally { if (dirFd != _rootFd) FileDescriptor.Close(dirFd); }
            return;
        }
        CleanLower(dir);
    }

    /// <summary>Removes everything under <paramref name="dir"/> that this layer did not make (an opaque directory
    /// keeps nothing of the lower layers).</summary>
    private void CleanLower(string dir)
    {
        int dirFd = DirectoryFd(dir, create: false);
        if (dirFd < 0) return;
        try
        {
            foreach (var child in FileTree.ReadNames(dirFd, Show(dir)))
            {
                var childPath = EntryPath.Join(dir, child);
                if (!_touched.Contains(childPath))
                {
                    FileTree.RemoveAll(dirFd, child, Show(childPath));
                    DropCache();
                }
                else if (FileStatus.TryOfAt(dirFd, child, followSymlinks: false, out var st) && st.IsDirectory)
                    CleanLower(childPath);
            }
        }
        finally { if (dirFd != _rootFd) FileDescriptor.Close(dirFd); }
    }

    private void SetOpaque(int dirFd)
    {
        var name = _options.Rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
        Check(ExtendedAttributes.TrySet(dirFd, name, "y"u8), $"set {name}");
    }

    // ---- paths ------------------------------------------------------------------------------------------------

    /// <summary>The directory that holds an entry, resolved in the root (created when missing); cached.</summary>
    private int ParentFd(string parent)
    {
        if (parent.Length == 0) return _rootFd;
        if (_cacheStale) CloseCache();
        if (_cachedParent == parent) return _cachedFd;
        int fd = OpenDirectory(parent);
        if (fd == -Errno.ENOENT) fd = CreateDirectories(parent, 0);
        if (fd < 0) Fail(-fd, $"open its directory {Show(parent)}");
        CloseCache();
        _cachedParent = parent;
        _cachedFd = fd;
        return fd;
    }

    /// <summary>As <see cref="ParentFd"/> but never creating anything: -errno when the directory is not there.</summary>
    private int TryParentFd(string parent)
    {
        if (parent.Length == 0) return _rootFd;
        if (_cacheStale) CloseCache();
        if (_cachedParent == parent) return _cachedFd;
        int fd = OpenDirectory(parent);
        if (fd < 0) return fd;
        CloseCache();
        _cachedParent = parent;
        _cachedFd = fd;
        return fd;
    }

    /// <summary>A readable fd on the directory <paramref name="dir"/> itself (for xattrs and listing), the last
    /// component not followed; -errno, or created when <paramref name="create"/>. The caller closes it unless it is
    /// the root fd.</summary>
    private int DirectoryFd(string dir, bool create)
    {
        if (dir.Length == 0) return _rootFd;
        int fd = OpenReadable(dir);
        if (fd == -Errno.ENOENT && create)
        {
            int made = CreateDirectories(dir, 0);
            if (made < 0) Fail(-made, $"create the directory {Show(dir)}");
            FileDescriptor.Close(made);
            fd = OpenReadable(dir);
        }
        if (fd < 0 && create) Fail(-fd, $"open the directory {Show(dir)}");
        return fd;
    }

    private int OpenReadable(string dir)
    {
        const OpenFlags Flags = OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow;
        return _resolveInRoot ? SecurePath.TryOpen(_rootFd, dir, (int)Flags) : FileTree.TryOpenAt(_rootFd, dir, Flags);
    }

    private int OpenDirectory(string path)
    {
        const OpenFlags Flags = OpenFlags.PathOnly | OpenFlags.Directory;
        return _resolveInRoot ? SecurePath.TryOpen(_rootFd, path, (int)Flags) : FileTree.TryOpenAt(_rootFd, path, Flags);
    }

    /// <summary>
    /// Creates the missing directories of <paramref name="path"/> one by one, each under a parent resolved in the
    /// root. A component that is a symlink to a missing directory has that directory created instead, inside the
    /// root (as containerd's fs.RootPath + MkdirAll, and SecurePath for mounts): ".." and absolute targets are
    /// clamped at the root. Directories made here take the owner, mode and time the same directory has in the
    /// layers below (<see cref="UnpackOptions.ParentLayers"/>, containerd's mkparent), else 0755 and the caller's ids.
    /// </summary>
    private int CreateDirectories(string path, int depth)
    {
        if (depth > 40) return -Errno.ELOOP;
        var parts = path.Split('/');
        string prefix = "";
        for (int i = 0; i < parts.Length; i++)
        {
            var dir = prefix;
            prefix = EntryPath.Join(prefix, parts[i]);
            int fd = OpenDirectory(prefix);
            if (fd >= 0)
            {
                if (i == parts.Length - 1) return fd;
                FileDescriptor.Close(fd);
                continue;
            }
            if (fd != -Errno.ENOENT) return fd;
            int parentFd = dir.Length == 0 ? _rootFd : OpenDirectory(dir);
            if (parentFd < 0) return parentFd;
            try
            {
                int rc = FileTree.TryMakeDirectory(parentFd, parts[i], 0x1ED);
                if (rc == Errno.EEXIST && FileTree.ReadLink(parentFd, parts[i]) is { } link)
                {
                    var rest = string.Join('/', parts, i + 1, parts.Length - i - 1);
                    var redirected = Lexical(link.StartsWith('/') ? link : EntryPath.Join(dir, link));
                    return CreateDirectories(rest.Length == 0 ? redirected : EntryPath.Join(redirected, rest), depth + 1);
                }
                if (rc != 0 && rc != Errno.EEXIST) return -rc;
                if (rc == 0) InheritFromParentLayers(parentFd, parts[i], prefix);
                Touch(prefix);
            }
            finally { if (parentFd != _rootFd) FileDescriptor.Close(parentFd); }
        }
        return OpenDirectory(prefix);
    }

    private void InheritFromParentLayers(int parentFd, string name, string path)
    {
        if (_options.ParentLayers is not { Count: > 0 } layers) return;
        foreach (var layer in layers)
        {
            // Looked up inside that layer as well: a symlink there must not lead the stat onto the host.
            int layerFd = FileDescriptor.TryOpen(layer, OpenFlags.PathOnly | OpenFlags.Directory);
            if (layerFd < 0) continue;
            int fd = SecurePath.TryOpen(layerFd, path, (int)(OpenFlags.PathOnly | OpenFlags.Directory | OpenFlags.NoFollow));
            FileDescriptor.Close(layerFd);
            if (fd < 0) continue;
            FileStatus st;
            try { if (!FileStatus.TryOf(fd, out st)) continue; }
            finally { FileDescriptor.Close(fd); }
            Check(FileMetadata.TrySetOwnerNoFollow(parentFd, name, st.Uid, st.Gid), $"chown the directory {Show(path)} as in the layer below");
            Check(FileMetadata.TrySetModeNoFollow(parentFd, name, st.Mode), $"chmod the directory {Show(path)} as in the layer below");
            _directoryTimes.Add((path, st.ModifiedSeconds, st.ModifiedNanoseconds));
            return;
        }
    }

    /// <summary>"a/./b/../c" made "a/c", ".." clamped at the root, as RESOLVE_IN_ROOT does.</summary>
    private static string Lexical(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") { if (stack.Count > 0) stack.RemoveAt(stack.Count - 1); continue; }
            stack.Add(part);
        }
        return string.Join('/', stack);
    }

    /// <summary>Removes what is at <paramref name="name"/> (a directory with everything below it) before a new
    /// entry takes its place: "changeset over existing files", layer.md.</summary>
    private void RemoveExisting(int parentFd, string name)
    {
        FileTree.RemoveAll(parentFd, name, $"remove the existing \"{name}\"");
        DropCache();
    }

    /// <summary>An entry's cleaned path made relative to the root fd (<see cref="UnpackOptions.Prefix"/>).</summary>
    private string Prefixed(string path) => EntryPath.Join(_options.Prefix, path);

    private void Touch(string path)
    {
        if (!_touched.Add(path)) return;
        for (var p = EntryPath.Parent(path); p.Length > 0 && _touched.Add(p); p = EntryPath.Parent(p)) { }
    }

    /// <summary>Forgets the cached parent from the next entry on (the current entry may still be using its fd).</summary>
    private void DropCache() => _cacheStale = true;

    private void CloseCache()
    {
        if (_cachedFd >= 0 && _cachedFd != _rootFd) FileDescriptor.Close(_cachedFd);
        _cachedFd = -1;
        _cachedParent = null;
        _cacheStale = false;
    }

    // ---- attributes ---------------------------------------------------------------------------------------------

    private (uint Uid, uint Gid) Ownership(TarEntry e)
    {
        if (_options.ChownTo is { } owner) return owner;
        var uid = IdMapping.Map(_options.UidMap, e.Uid);
        if (uid is null)
            throw Invalid(_options.UidMap is { } um ? $"uid {e.Uid} is outside the uid mapping ({IdMapping.Describe(um)})" : $"uid {e.Uid} is not a valid id");
        var gid = IdMapping.Map(_options.GidMap, e.Gid);
        if (gid is null)
            throw Invalid(_options.GidMap is { } gm ? $"gid {e.Gid} is outside the gid mapping ({IdMapping.Describe(gm)})" : $"gid {e.Gid} is not a valid id");
        return (uid.Value, gid.Value);
    }

    /// <summary>The entry's xattrs, from the raw PAX header (binary values intact), set through <paramref name="fd"/>
    /// or on <paramref name="name"/> under <paramref name="dirFd"/> without following it.</summary>
    private void SetXattrs(int fd, int dirFd, string? name, byte[]? rawPax, TarEntry e)
    {
        if (rawPax is null)
        {
            // TarReader saw PAX xattrs the tap did not capture: never silently drop them.
            if (e is PaxTarEntry pax && HasXattrRecords(pax)) throw Invalid("its PAX extended attributes could not be read from the archive");
            return;
        }
        foreach (var (key, value) in PaxRecords.Xattrs(rawPax))
        {
            // A layer does not get to write overlayfs' own metadata: opacity comes from .wh..wh..opq only, and a
            // redirect or metacopy xattr would make the overlay look elsewhere in the lower layers.
            if (key.StartsWith("trusted.overlay.", StringComparison.Ordinal) || key.StartsWith("user.overlay.", StringComparison.Ordinal))
            {
                _warnings.Add($"entry \"{_entry}\": xattr {key} skipped: overlayfs' own attributes are not taken from a layer");
                continue;
            }
            int rc = fd >= 0 ? ExtendedAttributes.TrySet(fd, key, value) : ExtendedAttributes.TrySetNoFollow(dirFd, name!, key, value);
            if (rc == 0) continue;
            if (rc == Errno.EOPNOTSUPP || (rc == Errno.EPERM && (_options.Rootless || fd < 0)))
            {
                // EOPNOTSUPP: the file system has no such namespace. EPERM: user.* on a symlink or device (the kernel
                // allows user.* on regular files and directories only), or trusted.* in a user namespace.
                _warnings.Add($"entry \"{_entry}\": xattr {key} skipped: {Errno.Describe(rc)}");
                continue;
            }
            Fail(rc, $"set xattr {key}");
        }
    }

    private static bool IsSparse(PaxTarEntry pax)
    {
        foreach (var key in pax.ExtendedAttributes.Keys)
            if (key.StartsWith("GNU.sparse.", StringComparison.Ordinal)) return true;
        return false;
    }

    private static bool HasXattrRecords(PaxTarEntry pax)
    {
        foreach (var key in pax.ExtendedAttributes.Keys)
            if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal) || key.StartsWith("LIBARCHIVE.xattr.", StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The entry's mtime as (seconds, nanoseconds), from the raw PAX record when there is one (TarReader's
    /// DateTimeOffset stops at 100 ns); used for the access time too (reproducible trees).</summary>
    private (long Sec, long Nsec) Times(TarEntry e) =>
        _rawPax is not null && PaxRecords.TryTime(_rawPax, "mtime"u8, out var sec, out var nsec) ? (sec, nsec) : Split(e.ModificationTime);

    private static (long Sec, long Nsec) Split(DateTimeOffset t)
    {
        long ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0) { sec--; rem += TimeSpan.TicksPerSecond; }
        return (sec, rem * 100);
    }

    // ---- errors -----------------------------------------------------------------------------------------------

    private static string Show(string path) => path.Length == 0 ? "the layer root" : "\"" + path + "\"";

    private LayerException Invalid(string reason) => new(ErrorKind.InvalidDocument, _layer, _entry, reason);

    private void Check(int errno, string operation)
    {
        if (errno != 0) Fail(errno, operation);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(int errno, string operation) =>
        throw new LayerException(ErrorKindOf(errno), _layer, _entry, $"{operation}: {Errno.Describe(errno)}", errno: errno);

    private static ErrorKind ErrorKindOf(int errno) => ErrorTable.KindOfErrno(errno);

    /// <summary>The entry being written ("" between entries), for the caller's error messages.</summary>
    public string CurrentEntry => _entry;
}
