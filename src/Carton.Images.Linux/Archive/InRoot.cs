using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Rootfs;
using Carton.Linux.Security;

namespace Carton.Images.Linux.Archive;

/// <summary>
/// Container paths looked up inside a rootfs as the container sees them: every lookup is openat2 with
/// RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS from the rootfs fd (<see cref="SecurePath"/>), so "/etc", ".." and a symlink to
/// "/" or "../../.." all stay inside it. Defence "archive-resolve-in-root" (docs/security.md, "Container archive"):
/// switched off in a mutation build, the lookups are a plain openat from the rootfs fd, as a path join would be.
/// </summary>
internal static class InRoot
{
    /// <summary>The rootfs (a host path the engine gives, trusted) as a directory fd.</summary>
    public static int OpenRootfs(string rootfs)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootfs);
        int fd = FileDescriptor.TryOpen(rootfs, OpenFlags.ReadOnly | OpenFlags.Directory);
        if (fd < 0) throw new CartonException(ErrorTable.KindOfErrno(-fd), $"open the container's root file system {rootfs}: {Errno.Describe(-fd)}", errno: -fd);
        return fd;
    }

    /// <summary>
    /// A container path as Docker takes it (filepath.Join("/", path), with a trailing "/" or "/." kept): the clean
    /// absolute path, whether its last component is to be followed (a trailing "/" or "/.", or the root: Docker
    /// resolves the whole path then), and the name its stat and its archive entries get (the base name, "." for a
    /// trailing "/.", "/" for the root).
    /// </summary>
    public static (string Abs, bool FollowLast, string Name) Parse(string containerPath)
    {
        ArgumentNullException.ThrowIfNull(containerPath);
        if (containerPath.Contains('\0', StringComparison.Ordinal))
            throw new CartonException(ErrorKind.InvalidDocument, $"container path {containerPath.Replace("\0", "\\0", StringComparison.Ordinal)}: holds a NUL byte");
        var parts = new List<string>();
        foreach (var part in containerPath.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        var abs = "/" + string.Join('/', parts);
        bool dot = containerPath == "." || containerPath.EndsWith("/.", StringComparison.Ordinal);
        bool follow = parts.Count == 0 || dot || containerPath.EndsWith('/');
        var name = dot ? "." : parts.Count == 0 ? "/" : parts[^1];
        return (abs, follow, name);
    }

    /// <summary>openat2 of <paramref name="abs"/> in the root (retried on EAGAIN, which the kernel returns when a
    /// rename or mount raced with a ".." in the lookup); the fd or -errno.</summary>
    public static int TryOpen(int rootFd, string abs, OpenFlags flags)
    {
        var rel = abs.TrimStart('/');
        if (Defences.IsDisabled("archive-resolve-in-root"))
            return FileTree.TryOpenAt(rootFd, rel.Length == 0 ? "." : rel, flags);
        for (int attempt = 0; ; attempt++)
        {
            int fd = SecurePath.TryOpen(rootFd, abs, (int)flags);
            if (fd != -Errno.EAGAIN || attempt == 16) return fd;
        }
    }

    /// <summary>Where the object behind <paramref name="fd"/> is in the container ("/" for the root), from the
    /// kernel's own names of both fds; null when it is not under the root (it always is for an fd opened in it,
    /// unless a mount inside the rootfs comes from elsewhere).</summary>
    public static string? ContainerPathOf(int rootFd, int fd)
    {
        var root = FileTree.ReadLink(rootFd, SecurePath.ProcFd(rootFd));
        var path = FileTree.ReadLink(fd, SecurePath.ProcFd(fd));
        if (root is null || path is null) return null;
        if (path == root) return "/";
        if (root == "/") return path;
        return path.StartsWith(root + "/", StringComparison.Ordinal) ? path[root.Length..] : null;
    }

    /// <summary>Docker's error for a path that is not there: NotFound, "Could not find the file /x in container".</summary>
    public static CartonException NotFound(string abs, int errno) =>
        new(ErrorKind.NotFound, $"Could not find the file {abs} in container", errno: errno);

    /// <summary>A failed lookup: NotFound for ENOENT and ENOTDIR (a component is missing or not a directory),
    /// otherwise the errno's kind, naming the operation and the path.</summary>
    public static CartonException Failed(string operation, string abs, int errno) =>
        errno is Errno.ENOENT or Errno.ENOTDIR
            ? NotFound(abs, errno)
            : new CartonException(ErrorTable.KindOfErrno(errno), $"{operation} {abs} in the container: {Errno.Describe(errno)}", errno: errno);
}
