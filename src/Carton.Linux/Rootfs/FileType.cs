using Carton.Linux.IO;

namespace Carton.Linux.Rootfs;

/// <summary>fstat-based checks on fds, so a decision is made about the object actually opened, not a path.</summary>
public static class FileType
{
    public static FileStatus Of(int fd, string what) => FileStatus.Of(fd, what);

    public static bool IsRegular(int fd) => FileStatus.TryOf(fd, out var st) && st.IsRegularFile;

    public static bool IsDirectory(int fd) => FileStatus.TryOf(fd, out var st) && st.IsDirectory;

    /// <summary>stat of a host path (follows symlinks), or null when it does not exist.</summary>
    public static FileStatus? OfPath(string path) => FileStatus.OfPath(path);

    public static uint Major(ulong dev) => (uint)(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff));
    public static uint Minor(ulong dev) => (uint)(((dev >> 12) & 0xffffff00) | (dev & 0xff));
    public static ulong MakeDev(ulong major, ulong minor) =>
        ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);
}
