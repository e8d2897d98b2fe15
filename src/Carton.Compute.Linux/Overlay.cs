using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Compute.Linux;

/// <summary>The overlayfs root of an HCS system, mounted in the host's mount namespace (the init bind-mounts it).</summary>
internal static unsafe class Overlay
{
    public static void Mount(string target, string options)
    {
        if (Libc.mount("overlay", target, "overlay", 0, options) < 0)
            throw new ComputeException("Failed", SyscallException.Last($"Container.Storage.Layers: mount overlay at {target} ({options})").Message);
    }

    /// <summary>Unmounts <paramref name="target"/> if it is a mount point; throws when it stays one (so that nothing
    /// below it is ever deleted through the mount).</summary>
    public static void Unmount(string target)
    {
        for (int i = 0; i < 50 && IsMountPoint(target); i++)
        {
            if (Libc.umount2(target, 0) == 0) continue;
            int e = Marshal.GetLastPInvokeError();
            if (e == Errno.EINVAL || e == Errno.ENOENT) break;
            if (e == Errno.EBUSY && i >= 10) Libc.umount2(target, Libc.MNT_DETACH);
            Thread.Sleep(10);
        }
        if (IsMountPoint(target)) throw new ComputeException("Failed", $"unmount {target}: still mounted");
    }

    public static bool IsMountPoint(string path)
    {
        Libc.Stat a, b;
        if (Libc.fstatat(Libc.AT_FDCWD, path, &a, Libc.AT_SYMLINK_NOFOLLOW) < 0) return false;
        if (Libc.fstatat(Libc.AT_FDCWD, Path.GetDirectoryName(path.TrimEnd('/'))!, &b, 0) < 0) return false;
        return a.Dev != b.Dev || a.Ino == b.Ino;
    }
}
