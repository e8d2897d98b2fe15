using System.Formats.Tar;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Rootfs;

namespace Carton.Images.Linux.Archive;

/// <summary>
/// Writes a file or a directory tree as tar entries (PAX), walking by fd: each directory is opened from its parent's
/// fd with O_NOFOLLOW|O_DIRECTORY, each entry is lstat'ed with fstatat(AT_SYMLINK_NOFOLLOW) and each regular file
/// opened with O_NOFOLLOW|O_NONBLOCK and its header taken from fstat of that fd; symlinks are written as symlinks
/// (readlinkat), never followed, so no symlink inside the tree (planted before or during the walk) leads the read
/// outside it. Directories, regular files, symlinks, hardlinks (a second name of a file already written, by
/// device and inode), FIFOs and devices are written with their owner, mode and mtime; sockets are skipped, as
/// Docker does.
/// </summary>
internal sealed class TreeTarWriter(TarWriter tar, CancellationToken ct)
{
    private readonly Dictionary<(ulong Dev, ulong Ino), string> _written = [];

    // Defence "archive-walk-no-follow" (docs/security.md, "Container archive"): switched off in a mutation build, the
    // walk stats and opens following symlinks, as a walker by path that trusts what it finds would.
    private readonly bool _follow = Carton.Linux.Security.Defences.IsDisabled("archive-walk-no-follow");
    private OpenFlags NoFollow => _follow ? 0 : OpenFlags.NoFollow;

    /// <summary>Writes the object <paramref name="name"/> under <paramref name="dirFd"/> (already lstat'ed as
    /// <paramref name="st"/>) as <paramref name="entryName"/>, and everything below it when it is a directory.</summary>
    public async Task WriteAsync(int dirFd, string name, FileStatus st, string entryName, string containerPath)
    {
        ct.ThrowIfCancellationRequested();
        switch (st.Type)
        {
            case FileStatus.Directory:
            {
                int fd = FileTree.TryOpenAt(dirFd, name, OpenFlags.ReadOnly | OpenFlags.Directory | NoFollow);
                if (fd == -Errno.ENOENT) return; // gone since it was listed
                if (fd == -Errno.ENOTDIR || fd == -Errno.ELOOP)
                {
                    // Replaced by something else since the lstat: write what is there now.
                    if (FileStatus.TryOfAt(dirFd, name, followSymlinks: false, out var now) && !now.IsDirectory)
                        await WriteAsync(dirFd, name, now, entryName, containerPath).ConfigureAwait(false);
                    return;
                }
                if (fd < 0) throw Failed("open", containerPath, -fd);
                try
                {
                    var dst = FileStatus.TryOf(fd, out var d) ? d : st;
                    await WriteHeaderAsync(TarEntryType.Directory, entryName.EndsWith('/') ? entryName : entryName + "/", dst).ConfigureAwait(false);
                    var names = FileTree.ReadNames(fd, $"read the directory {containerPath} in the container");
                    names.Sort(StringComparer.Ordinal);
                    var prefix = entryName.EndsWith('/') ? entryName : entryName + "/";
                    var cprefix = containerPath.EndsWith('/') ? containerPath : containerPath + "/";
                    foreach (var child in names)
                    {
                        if (!FileStatus.TryOfAt(fd, child, followSymlinks: _follow, out var cst)) continue; // gone meanwhile
                        await WriteAsync(fd, child, cst, prefix + child, cprefix + child).ConfigureAwait(false);
                    }
                }
                finally { FileDescriptor.Close(fd); }
                return;
            }
            case FileStatus.RegularFile:
                await WriteFileAsync(dirFd, name, st, entryName, containerPath).ConfigureAwait(false);
                return;
            case FileStatus.Symlink:
            {
                var target = FileTree.ReadLink(dirFd, name);
                if (target is null) return; // replaced since the lstat
                var entry = Header(TarEntryType.SymbolicLink, entryName, st);
                entry.LinkName = target;
                await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                return;
            }
            case FileStatus.Fifo:
                await WriteHeaderAsync(TarEntryType.Fifo, entryName, st).ConfigureAwait(false);
                return;
            case FileStatus.CharacterDevice or FileStatus.BlockDevice:
            {
                if (HardlinkOf(st, entryName) is { } link) { await WriteLinkAsync(entryName, link, st).ConfigureAwait(false); return; }
                var entry = Header(st.Type == FileStatus.CharacterDevice ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, entryName, st);
                entry.DeviceMajor = (int)FileType.Major(st.Rdev);
                entry.DeviceMinor = (int)FileType.Minor(st.Rdev);
                await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                return;
            }
            default:
                return; // a socket: Docker's archive skips them too (tar has no type for one)
        }
    }

    private async Task WriteFileAsync(int dirFd, string name, FileStatus lst, string entryName, string containerPath)
    {
        int fd = FileTree.TryOpenAt(dirFd, name, OpenFlags.ReadOnly | NoFollow | OpenFlags.NonBlocking | OpenFlags.NoControllingTerminal);
        if (fd == -Errno.ENOENT) return;
        if (fd == -Errno.ELOOP)
        {
            // Now a symlink: written as one.
            if (FileStatus.TryOfAt(dirFd, name, followSymlinks: false, out var now) && now.IsSymlink)
                await WriteAsync(dirFd, name, now, entryName, containerPath).ConfigureAwait(false);
            return;
        }
        if (fd < 0) throw Failed("open", containerPath, -fd);
        try
        {
            var st = FileStatus.TryOf(fd, out var s) ? s : lst;
            if (!st.IsRegularFile)
            {
                // Swapped for a FIFO or a device since the lstat (opened O_NONBLOCK: it did not hang): no content.
                if (st.Type is FileStatus.Fifo) await WriteHeaderAsync(TarEntryType.Fifo, entryName, st).ConfigureAwait(false);
                return;
            }
            if (HardlinkOf(st, entryName) is { } link) { await WriteLinkAsync(entryName, link, st).ConfigureAwait(false); return; }
            var entry = Header(TarEntryType.RegularFile, entryName, st);
            using var data = new FdReadStream(fd, st.Size, containerPath);
            entry.DataStream = data;
            await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
        }
        finally { FileDescriptor.Close(fd); }
    }

    /// <summary>The entry name this file was first written as, when it has more than one name and was; otherwise
    /// records it.</summary>
    private string? HardlinkOf(FileStatus st, string entryName)
    {
        if (st.Nlink <= 1) return null;
        if (_written.TryGetValue((st.Dev, st.Ino), out var first)) return first;
        _written[(st.Dev, st.Ino)] = entryName;
        return null;
    }

    private async Task WriteLinkAsync(string entryName, string target, FileStatus st)
    {
        var entry = Header(TarEntryType.HardLink, entryName, st);
        entry.LinkName = target;
        await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
    }

    private Task WriteHeaderAsync(TarEntryType type, string entryName, FileStatus st) =>
        tar.WriteEntryAsync(Header(type, entryName, st), ct);

    private static PaxTarEntry Header(TarEntryType type, string entryName, FileStatus st) =>
        new(type, entryName)
        {
            Mode = (UnixFileMode)(st.Mode & 0xFFF),
            Uid = checked((int)st.Uid),
            Gid = checked((int)st.Gid),
            ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.ModifiedSeconds).AddTicks(st.ModifiedNanoseconds / 100),
        };

    private static CartonException Failed(string operation, string containerPath, int errno) =>
        new(ErrorTable.KindOfErrno(errno), $"{operation} {containerPath} in the container: {Errno.Describe(errno)}", errno: errno);
}
