using Carton.Linux.Interop;
using static Carton.Oci.MountConstants;

namespace Carton.Linux.Rootfs;

/// <summary>linux.maskedPaths and linux.readonlyPaths (config-linux.md), applied after pivot_root.</summary>
public static class PathMasks
{
    /// <summary>Masks a path: /dev/null bound over a file, an empty read-only tmpfs over a directory. The /dev/null
    /// used is checked to be the real null device (CVE-2025-31133: a container could swap it for a symlink).</summary>
    /// <param name="mountLabel">linux.mountLabel when SELinux applies it: the masking tmpfs gets it (as under runc).</param>
    public static void Mask(int rootFd, string path, int index, string? mountLabel = null)
    {
        int fd = SecurePath.TryOpen(rootFd, path);
        if (fd == -Errno.ENOENT) return; // masking what is not there is a no-op (runc does the same)
        if (fd < 0) throw new SyscallException($"linux.maskedPaths[{index}]: open {path}", -fd);
        try
        {
            if (FileType.IsDirectory(fd))
            {
                if (Libc.mount("tmpfs", SecurePath.ProcFd(fd), "tmpfs", MS_RDONLY, Security.LsmAttributes.MountData("tmpfs", false, null, mountLabel)) < 0)
                    throw SyscallException.Last($"linux.maskedPaths[{index}]: mount tmpfs over {path}");
                return;
            }
            int nullFd = SecurePath.TryOpen(rootFd, "/dev/null", Libc.O_PATH | Libc.O_NOFOLLOW);
            if (nullFd < 0) throw new SyscallException($"linux.maskedPaths[{index}]: open /dev/null", -nullFd);
            try
            {
                var st = FileType.Of(nullFd, "/dev/null");
                if ((st.Mode & Libc.S_IFMT) != Libc.S_IFCHR || FileType.Major(st.Rdev) != 1 || FileType.Minor(st.Rdev) != 3)
                    throw new InvalidOperationException($"linux.maskedPaths[{index}]: /dev/null in the container is not the null device (1:3), refusing to mask {path} with it");
                if (Libc.mount(SecurePath.ProcFd(nullFd), SecurePath.ProcFd(fd), null, MS_BIND, null) < 0)
                    throw SyscallException.Last($"linux.maskedPaths[{index}]: bind /dev/null over {path}");
            }
            finally { Libc.close(nullFd); }
        }
        finally { Libc.close(fd); }
    }

    public static void MakeReadonly(int rootFd, string path, int index)
    {
        int fd = SecurePath.TryOpen(rootFd, path);
        if (fd == -Errno.ENOENT) return;
        if (fd < 0) throw new SyscallException($"linux.readonlyPaths[{index}]: open {path}", -fd);
        try
        {
            if (Libc.mount(SecurePath.ProcFd(fd), SecurePath.ProcFd(fd), null, MS_BIND | MS_REC, null) < 0)
                throw SyscallException.Last($"linux.readonlyPaths[{index}]: bind {path}");
        }
        finally { Libc.close(fd); }
        fd = SecurePath.TryOpen(rootFd, path);
        try
        {
            var attr = new Libc.MountAttr { AttrSet = MOUNT_ATTR_RDONLY };
            if (Libc.MountSetattr(fd, "", Libc.AT_EMPTY_PATH | Libc.AT_RECURSIVE, attr) < 0)
                throw SyscallException.Last($"linux.readonlyPaths[{index}]: remount {path} read-only");
        }
        finally { Libc.close(fd); }
    }

    /// <summary>root.readonly: the container's "/" remounted read-only (its submounts keep their own flags).</summary>
    public static void MakeRootReadonly()
    {
        if (Libc.mount(null, "/", null, MS_REMOUNT | MS_BIND | MS_RDONLY, null) < 0)
        {
            // Locked flags (nosuid, nodev...) of the underlying mount must be repeated; retry with them.
            if (Libc.mount(null, "/", null, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, null) < 0)
                throw SyscallException.Last("root.readonly: remount / read-only");
        }
    }
}
