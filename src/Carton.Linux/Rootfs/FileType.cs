using Carton.Linux.Interop;

namespace Carton.Linux.Rootfs;

/// <summary>fstat-based checks on fds, so a decision is made about the object actually opened, not a path.</summary>
public static unsafe class FileType
{
    public static Libc.Stat Of(int fd, string what)
    {
        Libc.Stat st;
        if (Libc.fstat(fd, &st) < 0) throw SyscallException.Last($"stat {what}");
        return st;
    }

    public static bool IsRegular(int fd) { Libc.Stat st; return Libc.fstat(fd, &st) == 0 && (st.Mode & Libc.S_IFMT) == Libc.S_IFREG; }

    public static bool IsDirectory(int fd) { Libc.Stat st; return Libc.fstat(fd, &st) == 0 && (st.Mode & Libc.S_IFMT) == Libc.S_IFDIR; }

    /// <summary>stat of a host path (follows symlinks), or null when it does not exist.</summary>
    public static Libc.Stat? OfPath(string path)
    {
        Libc.Stat st;
        return Libc.fstatat(Libc.AT_FDCWD, path, &st, 0) == 0 ? st : null;
    }

    public static uint Major(ulong dev) => (uint)(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff));
    public static uint Minor(ulong dev) => (uint)(((dev >> 12) & 0xffffff00) | (dev & 0xff));
    public static ulong MakeDev(ulong major, ulong minor) =>
        ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);
}
