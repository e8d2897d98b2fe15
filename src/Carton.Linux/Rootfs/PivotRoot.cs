using Carton.Linux.Interop;
using static Carton.Oci.MountConstants;

namespace Carton.Linux.Rootfs;

/// <summary>Makes the prepared rootfs the container's "/" (config.md "Root"), with pivot_root or, for --no-pivot, MS_MOVE + chroot.</summary>
public static class PivotRoot
{
    /// <summary>pivot_root(".", ".") then a lazy unmount of the old root stacked under it: no temporary directory in
    /// the rootfs is needed (runc's technique). The old root is made a slave first so the unmount does not
    /// propagate to the host.</summary>
    public static void Pivot(string rootfs)
    {
        int oldRoot = Libc.open("/", Libc.O_DIRECTORY | Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (oldRoot < 0) throw SyscallException.Last("open old root /");
        int newRoot = Libc.open(rootfs, Libc.O_DIRECTORY | Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (newRoot < 0) { Libc.close(oldRoot); throw SyscallException.Last($"open rootfs {rootfs}"); }
        try
        {
            if (Libc.fchdir(newRoot) < 0) throw SyscallException.Last($"chdir to rootfs {rootfs}");
            if (Libc.PivotRoot(".", ".") < 0) throw SyscallException.Last($"pivot_root {rootfs}");
            if (Libc.fchdir(oldRoot) < 0) throw SyscallException.Last("chdir to old root");
            if (Libc.mount(null, ".", null, MS_SLAVE | MS_REC, null) < 0) throw SyscallException.Last("make old root rslave");
            if (Libc.umount2(".", Libc.MNT_DETACH) < 0) throw SyscallException.Last("unmount old root");
            if (Libc.chdir("/") < 0) throw SyscallException.Last("chdir /");
        }
        finally
        {
            Libc.close(oldRoot);
            Libc.close(newRoot);
        }
    }

    /// <summary>--no-pivot: move the rootfs mount over "/" and chroot into it (weaker: the old root stays reachable to
    /// a process that can escape a chroot; runc documents the same).</summary>
    public static void MoveAndChroot(string rootfs)
    {
        if (Libc.chdir(rootfs) < 0) throw SyscallException.Last($"chdir to rootfs {rootfs}");
        if (Libc.mount(rootfs, "/", null, MS_MOVE, null) < 0) throw SyscallException.Last($"move rootfs {rootfs} to /");
        if (Libc.chroot(".") < 0) throw SyscallException.Last($"chroot {rootfs}");
        if (Libc.chdir("/") < 0) throw SyscallException.Last("chdir /");
    }

    /// <summary>No mount namespace: chroot into the rootfs, mounting nothing (runc and crun chroot too). A process
    /// that keeps CAP_SYS_CHROOT can leave a chroot; the caller's mount table is all it shares.</summary>
    public static void Chroot(string rootfs)
    {
        if (Libc.chdir(rootfs) < 0) throw SyscallException.Last($"chdir to rootfs {rootfs}");
        if (Libc.chroot(".") < 0) throw SyscallException.Last($"chroot {rootfs}");
        if (Libc.chdir("/") < 0) throw SyscallException.Last("chdir /");
    }

    /// <summary>chroot into the directory <paramref name="dirFd"/> refers to (exec in a container without a mount
    /// namespace: the init's root, opened through /proc/pid/root).</summary>
    public static void ChrootTo(int dirFd, string operation)
    {
        if (Libc.fchdir(dirFd) < 0) throw SyscallException.Last($"{operation}: fchdir");
        if (Libc.chroot(".") < 0) throw SyscallException.Last($"{operation}: chroot");
        if (Libc.chdir("/") < 0) throw SyscallException.Last($"{operation}: chdir /");
    }
}
