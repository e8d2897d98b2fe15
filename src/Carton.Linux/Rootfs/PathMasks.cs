using Carton.Linux.Interop;
using static Carton.Oci.MountConstants;

namespace Carton.Linux.Rootfs;

/// <summary>
/// linux.maskedPaths and linux.readonlyPaths (config-linux.md), applied after pivot_root. Every mount here is made
/// between fds with the new mount API (open_tree/fsmount, move_mount, mount_setattr), never through a
/// /proc/self/fd/N path: after pivot_root that path resolves in the container's /proc, where a mount of the config
/// (say a directory of symlinks bound over /proc/1/fd) can redirect it, so that the mask or the read-only bind lands
/// somewhere else and /proc/sys stays writable (design.md §3 item 5, the CVE-2025-52881 class).
/// </summary>
public static class PathMasks
{
    private static bool ByFd => !Carton.Linux.Security.Defences.IsDisabled("mask-by-fd");

    /// <summary>A fresh read-only tmpfs attached on the object behind <paramref name="targetFd"/>, labelled with
    /// <paramref name="mountLabel"/> (SELinux <c>context=</c>) when one is given.</summary>
    private static int MountTmpfsAt(int targetFd, string? mountLabel)
    {
        if (!ByFd) return Libc.mount("tmpfs", SecurePath.ProcFd(targetFd), "tmpfs", MS_RDONLY, Security.LsmAttributes.MountData("tmpfs", false, null, mountLabel));
        int fs = Libc.Fsopen("tmpfs", Libc.FSOPEN_CLOEXEC);
        if (fs < 0) return -1;
        int mnt = -1;
        try
        {
            if (Libc.Fsconfig(fs, Libc.FSCONFIG_SET_STRING, "source", "tmpfs") < 0 ||
                Libc.Fsconfig(fs, Libc.FSCONFIG_SET_FLAG, "ro", null) < 0 ||
                (!string.IsNullOrEmpty(mountLabel) && Libc.Fsconfig(fs, Libc.FSCONFIG_SET_STRING, "context", mountLabel) < 0) ||
                Libc.Fsconfig(fs, Libc.FSCONFIG_CMD_CREATE, null, null) < 0) return -1;
            mnt = Libc.Fsmount(fs, Libc.FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
            return mnt < 0 ? -1 : Libc.MoveMountFds(mnt, targetFd);
        }
        finally
        {
            Preserve(() => { Libc.close(fs); if (mnt >= 0) Libc.close(mnt); });
        }
    }

    /// <summary>Bind-mounts the object behind <paramref name="sourceFd"/> on the one behind <paramref name="targetFd"/>.</summary>
    private static int BindFd(int sourceFd, int targetFd, bool recursive)
    {
        if (!ByFd) return Libc.mount(SecurePath.ProcFd(sourceFd), SecurePath.ProcFd(targetFd), null, MS_BIND | (recursive ? MS_REC : 0), null);
        int tree = Libc.OpenTree(sourceFd, "", Libc.OPEN_TREE_CLONE | (uint)Libc.O_CLOEXEC | (uint)Libc.AT_EMPTY_PATH | (recursive ? (uint)Libc.AT_RECURSIVE : 0));
        if (tree < 0) return -1;
        try { return Libc.MoveMountFds(tree, targetFd); }
        finally { Preserve(() => Libc.close(tree)); }
    }

    /// <summary>Runs <paramref name="cleanup"/> without losing the errno of the call that failed before it.</summary>
    private static void Preserve(Action cleanup)
    {
        int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        cleanup();
        System.Runtime.InteropServices.Marshal.SetLastPInvokeError(e);
    }

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
                if (MountTmpfsAt(fd, mountLabel) < 0)
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
                if (BindFd(nullFd, fd, recursive: false) < 0)
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
            if (BindFd(fd, fd, recursive: true) < 0)
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
