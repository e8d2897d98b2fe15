using Carton.Linux.Interop;
using Carton.Linux.Mounts;
using Carton.Linux.IO;

namespace Carton.Compute.Linux;

/// <summary>The overlayfs root of an HCS system, mounted in the host's mount namespace (the init bind-mounts it).</summary>
internal static class Overlay
{
    public static void Mount(string target, string options)
    {
        try { MountPoints.FileSystem("overlay", target, "overlay", 0, options, $"Container.Storage.Layers: mount overlay at {target} ({options})"); }
        catch (SyscallException e) { throw new ComputeException("Failed", e.Message); }
    }

    /// <summary>Unmounts <paramref name="target"/> if it is a mount point; throws when it stays one (so that nothing
    /// below it is ever deleted through the mount).</summary>
    public static void Unmount(string target)
    {
        for (int i = 0; i < 50 && IsMountPoint(target); i++)
        {
            int e = MountPoints.TryUnmount(target);
            if (e == 0) continue;
            if (e == Errno.EINVAL || e == Errno.ENOENT) break;
            if (e == Errno.EBUSY && i >= 10) MountPoints.TryUnmount(target, detach: true);
            Thread.Sleep(10);
        }
        if (IsMountPoint(target)) throw new ComputeException("Failed", $"unmount {target}: still mounted");
    }

    public static bool IsMountPoint(string path)
    {
        if (FileStatus.OfPath(path, followSymlinks: false) is not { } a) return false;
        if (FileStatus.OfPath(Path.GetDirectoryName(path.TrimEnd('/'))!) is not { } b) return false;
        return a.Dev != b.Dev || a.Ino == b.Ino;
    }
}
