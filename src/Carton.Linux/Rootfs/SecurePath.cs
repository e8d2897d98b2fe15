using Carton.Linux.Interop;
using Carton.Linux.IO;

namespace Carton.Linux.Rootfs;

/// <summary>
/// Opens paths inside a container root without ever leaving it (design.md §3 item 3, CVE-2021-30465,
/// CVE-2024-45310): every lookup is openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) from the root's fd, so a
/// symlink such as rootfs/x -> /etc resolves to rootfs/etc, never to the host's /etc. Missing components are
/// created one at a time under a parent that was itself resolved inside the root.
/// </summary>
public static class SecurePath
{
    private const ulong Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS;

    /// <summary>An O_PATH fd for <paramref name="path"/> inside the root, or -errno.</summary>
    public static int TryOpen(int rootFd, string path, int flags = Libc.O_PATH)
    {
        int fd = Libc.OpenAt2(rootFd, Relative(path), (ulong)(flags | Libc.O_CLOEXEC), Resolve);
        return fd >= 0 ? fd : -System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Reads a small file inside the root (every component resolved in it; no symlink leads out), opened
    /// non-blocking so that a fifo or a device cannot hang the caller. Returns 0 with the text, or -errno of the
    /// open or read; the text is null when the file is larger than <paramref name="maxSize"/> bytes.
    /// </summary>
    public static int TryReadText(int rootFd, string path, int maxSize, out string? text)
    {
        text = null;
        int fd = TryOpen(rootFd, path, Libc.O_RDONLY | Libc.O_NONBLOCK);
        if (fd < 0) return fd;
        try
        {
            var buffer = new byte[maxSize + 1];
            int total = 0;
            while (total < buffer.Length)
            {
                int n = FileDescriptor.Read(fd, buffer.AsSpan(total));
                if (n < 0) return n;
                if (n == 0) break;
                total += n;
            }
            if (total <= maxSize) text = System.Text.Encoding.UTF8.GetString(buffer, 0, total);
            return 0;
        }
        finally { Libc.close(fd); }
    }

    /// <summary>Opens (O_PATH) the path inside the root, creating missing directories, and the last component as a
    /// directory or, when <paramref name="lastIsFile"/>, an empty file. Throws naming the container path.</summary>
    public static int OpenOrCreate(int rootFd, string path, bool lastIsFile, string what) => OpenOrCreate(rootFd, path, lastIsFile, what, 0);

    private static int OpenOrCreate(int rootFd, string path, bool lastIsFile, string what, int depth)
    {
        if (depth > 40) throw new SyscallException($"{what}: resolve {path} in the container root", Errno.ELOOP);
        int fd = TryOpen(rootFd, path);
        if (fd >= 0) return fd;
        if (fd != -Errno.ENOENT) throw new SyscallException($"{what}: open {path} in the container root", -fd);

        var parts = Relative(path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        int parent = Libc.dup(rootFd);
        try
        {
            for (int i = 0; i < parts.Length; i++)
            {
                var prefix = string.Join('/', parts, 0, i + 1);
                int next = TryOpen(rootFd, prefix);
                if (next == -Errno.ENOENT)
                {
                    bool file = lastIsFile && i == parts.Length - 1;
                    int rc = file
                        ? CreateFile(parent, parts[i])
                        : Libc.mkdirat(parent, parts[i], 0x1ED /* 0755 */);
                    if (rc < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() is var e && e != Errno.EEXIST)
                        throw new SyscallException($"{what}: create /{prefix} in the container root", e);
                    next = TryOpen(rootFd, prefix);
                    if (next == -Errno.ENOENT && ReadLink(parent, parts[i]) is { } target)
                    {
                        // A dangling symlink: what it points to is created, inside the root (an absolute target is
                        // taken relative to the root, ".." stops at it), as runc's securejoin does.
                        var dir = string.Join('/', parts, 0, i);
                        var rest = string.Join('/', parts, i + 1, parts.Length - i - 1);
                        var redirected = Lexical((target.StartsWith('/') ? target : dir + "/" + target) + (rest.Length > 0 ? "/" + rest : ""));
                        return OpenOrCreate(rootFd, redirected, lastIsFile, what, depth + 1);
                    }
                }
                if (next < 0) throw new SyscallException($"{what}: open /{prefix} in the container root", -next);
                Libc.close(parent);
                parent = next;
            }
            int result = parent;
            parent = -1;
            return result;
        }
        finally
        {
            if (parent >= 0) Libc.close(parent);
        }
    }

    private static unsafe string? ReadLink(int dirFd, string name)
    {
        var buf = stackalloc byte[4096];
        nint n = Libc.readlinkat(dirFd, name, buf, 4096);
        return n <= 0 ? null : System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }

    /// <summary>Normalizes "a/./b/../c" lexically with ".." clamped at the root.</summary>
    public static string Lexical(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (stack.Count > 0) stack.RemoveAt(stack.Count - 1); continue; }
            stack.Add(part);
        }
        return "/" + string.Join('/', stack);
    }

    private static int CreateFile(int dirFd, string name)
    {
        int fd = Libc.openat(dirFd, name, Libc.O_CREAT | Libc.O_EXCL | Libc.O_WRONLY | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0x1A4 /* 0644 */);
        if (fd < 0) return -1;
        Libc.close(fd);
        return 0;
    }

    /// <summary>The magic-link path through which a syscall that takes a path reaches the object behind an fd.</summary>
    public static string ProcFd(int fd) => "/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when the path exists inside the root and its last component is a symlink.</summary>
    public static bool IsSymlink(int rootFd, string path)
    {
        var rel = Relative(path);
        int slash = rel.LastIndexOf('/');
        string dir = slash < 0 ? "." : rel[..slash];
        string name = slash < 0 ? rel : rel[(slash + 1)..];
        if (name.Length == 0) return false;
        int dfd = TryOpen(rootFd, dir);
        if (dfd < 0) return false;
        try
        {
            return IO.FileStatus.TryOfAt(dfd, name, followSymlinks: false, out var st) && st.IsSymlink;
        }
        finally { Libc.close(dfd); }
    }

    private static string Relative(string path)
    {
        var rel = path.TrimStart('/');
        return rel.Length == 0 ? "." : rel;
    }
}
