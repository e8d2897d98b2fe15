using Carton.Linux.Interop;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Archive;

/// <summary>
/// Where a GET or stat starts, found as Docker finds it (container.ResolvePath + StatPath): the directory part
/// resolved in the root, the last component not followed (a symlink is the symlink), unless the path ends in "/" or
/// "/." or is the root, when the whole path is resolved in the root. <see cref="DirFd"/> and <see cref="EntryName"/>
/// name the object without a path walk: an O_PATH fd on its directory and its name there (or the object itself and
/// "." when it was followed).
/// </summary>
internal sealed class ArchiveStart : IDisposable
{
    private ArchiveStart(int dirFd, string entryName, FileStatus status, string abs, string name)
    {
        DirFd = dirFd;
        EntryName = entryName;
        Status = status;
        Abs = abs;
        Name = name;
    }

    public int DirFd { get; private set; }
    public string EntryName { get; }
    /// <summary>lstat of the object (stat when it was followed).</summary>
    public FileStatus Status { get; }
    /// <summary>The clean absolute container path.</summary>
    public string Abs { get; }
    /// <summary>The name the stat and the archive's top entry get.</summary>
    public string Name { get; }

    public static ArchiveStart Find(int rootFd, string containerPath)
    {
        var (abs, follow, name) = InRoot.Parse(containerPath);
        if (follow)
        {
            int fd = InRoot.TryOpen(rootFd, abs, OpenFlags.PathOnly);
            if (fd < 0) throw InRoot.Failed("open", abs, -fd);
            if (!FileStatus.TryOf(fd, out var st))
            {
                int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                FileDescriptor.Close(fd);
                throw InRoot.Failed("stat", abs, e);
            }
            if (!st.IsDirectory)
            {
                FileDescriptor.Close(fd);
                throw new CartonException(ErrorKind.InvalidDocument, $"{containerPath} in the container: not a directory (the path ends in \"/\")", errno: Errno.ENOTDIR);
            }
            return new ArchiveStart(fd, ".", st, abs, name);
        }
        int slash = abs.LastIndexOf('/');
        var dir = abs[..slash];
        var entry = abs[(slash + 1)..];
        int dirFd = InRoot.TryOpen(rootFd, dir.Length == 0 ? "/" : dir, OpenFlags.PathOnly | OpenFlags.Directory);
        if (dirFd < 0) throw InRoot.Failed("open", abs, -dirFd);
        if (!FileStatus.TryOfAt(dirFd, entry, followSymlinks: false, out var status))
        {
            int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            FileDescriptor.Close(dirFd);
            throw InRoot.Failed("stat", abs, e);
        }
        return new ArchiveStart(dirFd, entry, status, abs, name);
    }

    public void Dispose()
    {
        FileDescriptor.Close(DirFd);
        DirFd = -1;
    }
}
