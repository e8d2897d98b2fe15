using System.Globalization;
using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>
/// One handle on a procfs mount, verified once (fstatfs says PROC_SUPER_MAGIC and the fd is the root of that procfs),
/// through which every procfs write of the runtime goes (design.md §3 item 5, CVE-2025-52881). Each file is opened
/// with openat2 from that root, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV and
/// O_NOFOLLOW, then checked again with fstatfs: a symlink, a magic link or anything mounted over a part of the path
/// (a tmpfs over /proc/sys, a bind over /proc/self/attr) makes the open fail instead of redirecting the write.
/// "self" is resolved by reading the procfs's own "self" link, never followed.
/// </summary>
public sealed class ProcFs : IDisposable
{
    private const long ProcSuperMagic = 0x9fa0;
    private const ulong Resolve = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_NO_XDEV;

    private int _fd;
    private readonly string _where;

    private ProcFs(int fd, string where)
    {
        _fd = fd;
        _where = where;
    }

    /// <summary>Opens and verifies the procfs mounted at <paramref name="path"/>; throws when it is not one.</summary>
    public static ProcFs Open(string path = "/proc")
    {
        // A private, detached clone of the procfs mount (open_tree OPEN_TREE_CLONE, not recursive): none of the mounts
        // on or under the original, made before or after, is part of it. Where the kernel refuses the clone (locked
        // submounts in a user namespace), the mount itself; RESOLVE_NO_XDEV still refuses anything mounted under it.
        int fd = Libc.OpenTree(Libc.AT_FDCWD, path, Libc.OPEN_TREE_CLONE | (uint)Libc.O_CLOEXEC | (uint)Libc.AT_SYMLINK_NOFOLLOW);
        if (fd < 0) fd = Libc.open(path, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw SyscallException.Last($"open {path}");
        try
        {
            if (!IsProcFs(fd)) throw new SyscallException($"{path} is not a procfs (fstatfs), refusing to use it", Errno.EXDEV);
            if (!FileStatus.TryOf(fd, out var st) || st.Ino != 1 || !st.IsDirectory)
                throw new SyscallException($"{path} is not the root of a procfs mount, refusing to use it", Errno.EXDEV);
            return new ProcFs(fd, path);
        }
        catch
        {
            Libc.close(fd);
            throw;
        }
    }

    /// <summary>True when the object behind <paramref name="fd"/> lies on a procfs mount (fstatfs).</summary>
    public static bool IsOnProcFs(int fd) => IsProcFs(fd);

    private static unsafe bool IsProcFs(int fd)
    {
        var buf = stackalloc byte[Arch.MaxStatSize];
        return Libc.fstatfs(fd, buf) == 0 && *(long*)(buf + Arch.Layouts.StatfsType) == ProcSuperMagic;
    }

    /// <summary>The path under the procfs root with a leading "self/" ("thread-self/") replaced by the caller's pid
    /// (pid/task/tid) as this procfs sees it, read from its "self" ("thread-self") link, which is never followed.</summary>
    private unsafe string Relative(string path)
    {
        var rel = path.StartsWith(_where + "/", StringComparison.Ordinal) ? path[(_where.Length + 1)..] : path.TrimStart('/');
        string link = rel == "self" || rel.StartsWith("self/", StringComparison.Ordinal) ? "self"
            : rel == "thread-self" || rel.StartsWith("thread-self/", StringComparison.Ordinal) ? "thread-self" : "";
        if (link.Length == 0) return rel;
        var buf = stackalloc byte[64];
        nint n = Libc.readlinkat(_fd, link, buf, 64);
        if (n <= 0) throw SyscallException.Last($"readlink {_where}/{link}");
        var target = System.Text.Encoding.ASCII.GetString(buf, (int)n);
        // "self" reads "<pid>", "thread-self" reads "<pid>/task/<tid>": digits and that one fixed part only.
        var parts = target.Split('/');
        bool ok = link == "self" ? parts is [var p] && IsNumber(p) : parts is [var p1, "task", var t] && IsNumber(p1) && IsNumber(t);
        if (!ok) throw new SyscallException($"{_where}/{link} reads \"{target}\", not a {(link == "self" ? "pid" : "pid/task/tid")}", Errno.EINVAL);
        return target + rel[link.Length..];
    }

    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    /// <summary>Opens <paramref name="path"/> ("/proc/sys/...", "/proc/self/...", "/proc/thread-self/...") on this procfs only; returns the fd or -errno.</summary>
    public int TryOpen(string path, int flags)
    {
        int fd = Libc.OpenAt2(_fd, Relative(path), (ulong)(flags | Libc.O_NOFOLLOW | Libc.O_CLOEXEC), Resolve);
        if (fd < 0) return -Marshal.GetLastPInvokeError();
        if (!IsProcFs(fd))
        {
            Libc.close(fd);
            return -Errno.EXDEV;
        }
        return fd;
    }

    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="path"/> on this procfs. Throws "write PATH: ..." naming the
    /// path; EXDEV or ELOOP say something is mounted over it or it is not where it should be.
    /// </summary>
    public void Write(string path, string value)
    {
        int fd = TryOpen(path, Libc.O_WRONLY);
        if (fd < 0)
        {
            int e = -fd;
            if (e is Errno.EXDEV or Errno.ELOOP)
                throw new SyscallException($"write {path}: it is not on the procfs at {_where} (something is mounted over it, or it is a link), refusing to write", e);
            throw new SyscallException($"write {path}", e);
        }
        try { FileDescriptor.WriteAll(fd, System.Text.Encoding.UTF8.GetBytes(value), $"write {path}"); }
        finally { Libc.close(fd); }
    }

    /// <summary>The fds the calling process has open, read from this procfs's self/fd with getdents64.</summary>
    public unsafe List<int> OpenFds()
    {
        int dir = TryOpen("self/fd", Libc.O_RDONLY | Libc.O_DIRECTORY);
        if (dir < 0) throw new SyscallException($"open {_where}/self/fd", -dir);
        var result = new List<int>();
        try
        {
            var buf = stackalloc byte[4096];
            while (true)
            {
                int n = Libc.Getdents64(dir, buf, 4096);
                if (n < 0) throw SyscallException.Last($"read {_where}/self/fd");
                if (n == 0) break;
                for (int off = 0; off < n;)
                {
                    ushort reclen = *(ushort*)(buf + off + 16);
                    var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf + off + 19);
                    if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int fd) && fd != dir) result.Add(fd);
                    off += reclen;
                }
            }
        }
        finally { Libc.close(dir); }
        return result;
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = -1;
    }
}
