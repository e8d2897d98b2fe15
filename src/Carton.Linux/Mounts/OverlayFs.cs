using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Mounts;

/// <summary>How <see cref="OverlayFs.Mount"/> hands the layers to the kernel.</summary>
public enum OverlayMountMethod
{
    /// <summary><see cref="LayerFds"/> when the kernel takes it, else <see cref="MountData"/>.</summary>
    Auto,
    /// <summary>
    /// The new mount API with each layer an open directory fd (fsconfig FSCONFIG_SET_FD "lowerdir+", "upperdir",
    /// "workdir"; Linux 6.13): no path strings at all, so no page-size limit on the option string, no 256-byte
    /// limit on an fsconfig string, no escaping of ':' or ','. Up to the kernel's 500 lower layers.
    /// </summary>
    LayerFds,
    /// <summary>
    /// mount(2) with one option string, each layer named by its /proc/self/fd/N magic link (about 19 bytes a layer
    /// instead of a full path): fits the 4095-byte page limit for about 200 layers, whatever the paths are. For
    /// kernels before 6.13.
    /// </summary>
    MountData,
}

/// <summary>
/// overlayfs mounts (Documentation/filesystems/overlayfs.rst) for image snapshots: lower layers top first, an
/// optional upper and work directory, and <c>userxattr</c> for an overlay mounted in a user namespace (whiteouts and
/// the opaque marker then live in <c>user.overlay.*</c>). Without <c>userxattr</c> the mount asks for
/// <c>redirect_dir=nofollow,metacopy=off</c>: a lower layer comes from an image, and the kernel documents both
/// features as unsafe with untrusted layers (with <c>userxattr</c> the kernel forces the same).
/// </summary>
public static class OverlayFs
{
    /// <summary>The most lower layers one overlay takes (OVL_MAX_STACK).</summary>
    public const int MaxLowerLayers = 500;

    /// <summary>
    /// Mounts an overlay of <paramref name="lowerTopFirst"/> (and <paramref name="upper"/>/<paramref name="work"/>,
    /// both or neither) on the directory <paramref name="target"/>. Without an upper the kernel needs two lower
    /// layers at least: one layer alone is a read-only bind (<see cref="ReadOnlyBind"/>). Returns the method used;
    /// throws "mount overlay on TARGET: ..." naming the layer count and the step that failed.
    /// </summary>
    public static OverlayMountMethod Mount(IReadOnlyList<string> lowerTopFirst, string? upper, string? work, string target,
        bool userXattr, OverlayMountMethod method = OverlayMountMethod.Auto)
    {
        ArgumentNullException.ThrowIfNull(lowerTopFirst);
        if (lowerTopFirst.Count == 0 || lowerTopFirst.Count > MaxLowerLayers)
            throw new ArgumentException($"overlay needs 1 to {MaxLowerLayers} lower layers, got {lowerTopFirst.Count}", nameof(lowerTopFirst));
        if ((upper is null) != (work is null)) throw new ArgumentException("upper and work directories go together", nameof(work));
        if (upper is null && lowerTopFirst.Count < 2)
            throw new ArgumentException("an overlay without an upper directory needs two lower layers: bind one layer read-only instead", nameof(lowerTopFirst));
        var what = $"mount overlay ({lowerTopFirst.Count} lower layers{(upper is null ? "" : ", upper " + upper)}) on {target}";

        // Every layer is opened once, as a directory: the mount then uses exactly these directories, whichever way
        // they are handed over, and a path changed in between does not matter.
        var fds = new List<int>(lowerTopFirst.Count + 3);
        try
        {
            foreach (var dir in lowerTopFirst) fds.Add(OpenDirectory(dir, what));
            int upperFd = upper is null ? -1 : OpenDirectory(upper, what);
            if (upperFd >= 0) fds.Add(upperFd);
            int workFd = work is null ? -1 : OpenDirectory(work, what);
            if (workFd >= 0) fds.Add(workFd);
            int targetFd = OpenDirectory(target, what, pathOnly: true);
            fds.Add(targetFd);

            if (method != OverlayMountMethod.MountData)
            {
                int e = TryMountWithFds(fds.GetRange(0, lowerTopFirst.Count), upperFd, workFd, targetFd, userXattr, out var step);
                if (e == 0) return OverlayMountMethod.LayerFds;
                // EINVAL on the first layer: a kernel before 6.13 knows no "lowerdir+" given as an fd.
                if (method == OverlayMountMethod.LayerFds || e != Errno.EINVAL || step != "lowerdir+ #0")
                    throw new SyscallException($"{what}: fsconfig {step}", e);
            }
            MountWithData(fds.GetRange(0, lowerTopFirst.Count), upperFd, workFd, target, userXattr, what);
            return OverlayMountMethod.MountData;
        }
        finally
        {
            foreach (var fd in fds) Libc.close(fd);
        }
    }

    /// <summary>
    /// The mount(8) option string for these layers with their paths ("lowerdir=A:B,upperdir=U,workdir=W"), ':' ',' and
    /// '\' escaped, for a runtime that mounts the overlay itself (a config.json mount). The kernel limits mount(2) data
    /// to one page: with many layers or long paths prefer <see cref="Mount"/>.
    /// </summary>
    public static string Options(IReadOnlyList<string> lowerTopFirst, string? upper, string? work, bool userXattr)
    {
        ArgumentNullException.ThrowIfNull(lowerTopFirst);
        var sb = new System.Text.StringBuilder("lowerdir=");
        for (int i = 0; i < lowerTopFirst.Count; i++)
        {
            if (i > 0) sb.Append(':');
            sb.Append(Escape(lowerTopFirst[i]));
        }
        if (upper is not null) sb.Append(",upperdir=").Append(Escape(upper));
        if (work is not null) sb.Append(",workdir=").Append(Escape(work));
        sb.Append(userXattr ? ",userxattr" : ",redirect_dir=nofollow,metacopy=off");
        return sb.ToString();
    }

    /// <summary>
    /// A read-only bind of <paramref name="source"/> on <paramref name="target"/>: a detached clone (open_tree), made
    /// read-only with mount_setattr before it is attached, so it is never visible writable.
    /// </summary>
    public static void ReadOnlyBind(string source, string target)
    {
        var what = $"bind {source} read-only on {target}";
        int tree = Libc.OpenTree(Libc.AT_FDCWD, source, Libc.OPEN_TREE_CLONE | (uint)Libc.O_CLOEXEC);
        if (tree < 0) throw SyscallException.Last($"{what}: open_tree");
        int targetFd = -1;
        try
        {
            var attr = new Libc.MountAttr { AttrSet = Oci.MountConstants.MOUNT_ATTR_RDONLY };
            if (Libc.MountSetattr(tree, "", Libc.AT_EMPTY_PATH, attr) < 0) throw SyscallException.Last($"{what}: mount_setattr");
            targetFd = OpenDirectory(target, what, pathOnly: true);
            if (Libc.MoveMountFds(tree, targetFd) < 0) throw SyscallException.Last($"{what}: move_mount");
        }
        finally
        {
            Libc.close(tree);
            if (targetFd >= 0) Libc.close(targetFd);
        }
    }

    private static int OpenDirectory(string path, string what, bool pathOnly = false)
    {
        int fd = Libc.open(path, (pathOnly ? Libc.O_PATH : Libc.O_RDONLY) | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw SyscallException.Last($"{what}: open {path}");
        return fd;
    }

    private static int TryMountWithFds(List<int> lowerFds, int upperFd, int workFd, int targetFd, bool userXattr, out string step)
    {
        step = "fsopen overlay";
        int fs = Libc.Fsopen("overlay", Libc.FSOPEN_CLOEXEC);
        if (fs < 0) return Marshal.GetLastPInvokeError();
        int mnt = -1;
        try
        {
            for (int i = 0; i < lowerFds.Count; i++)
            {
                step = "lowerdir+ #" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (Libc.FsconfigFd(fs, "lowerdir+", lowerFds[i]) < 0) return Marshal.GetLastPInvokeError();
            }
            if (upperFd >= 0)
            {
                step = "upperdir";
                if (Libc.FsconfigFd(fs, "upperdir", upperFd) < 0) return Marshal.GetLastPInvokeError();
                step = "workdir";
                if (Libc.FsconfigFd(fs, "workdir", workFd) < 0) return Marshal.GetLastPInvokeError();
            }
            if (userXattr)
            {
                step = "userxattr";
                if (Libc.Fsconfig(fs, Libc.FSCONFIG_SET_FLAG, "userxattr", null) < 0) return Marshal.GetLastPInvokeError();
            }
            else
            {
                step = "redirect_dir=nofollow";
                if (Libc.Fsconfig(fs, Libc.FSCONFIG_SET_STRING, "redirect_dir", "nofollow") < 0) return Marshal.GetLastPInvokeError();
                step = "metacopy=off";
                if (Libc.Fsconfig(fs, Libc.FSCONFIG_SET_STRING, "metacopy", "off") < 0) return Marshal.GetLastPInvokeError();
            }
            step = "create";
            if (Libc.Fsconfig(fs, Libc.FSCONFIG_CMD_CREATE, null, null) < 0) return Marshal.GetLastPInvokeError();
            step = "fsmount";
            mnt = Libc.Fsmount(fs, Libc.FSMOUNT_CLOEXEC, 0);
            if (mnt < 0) return Marshal.GetLastPInvokeError();
            step = "move_mount";
            if (Libc.MoveMountFds(mnt, targetFd) < 0) return Marshal.GetLastPInvokeError();
            return 0;
        }
        finally
        {
            int e = Marshal.GetLastPInvokeError();
            Libc.close(fs);
            if (mnt >= 0) Libc.close(mnt);
            Marshal.SetLastPInvokeError(e);
        }
    }

    private static void MountWithData(List<int> lowerFds, int upperFd, int workFd, string target, bool userXattr, string what)
    {
        var sb = new System.Text.StringBuilder("lowerdir=");
        for (int i = 0; i < lowerFds.Count; i++)
        {
            if (i > 0) sb.Append(':');
            sb.Append(Rootfs.SecurePath.ProcFd(lowerFds[i]));
        }
        if (upperFd >= 0) sb.Append(",upperdir=").Append(Rootfs.SecurePath.ProcFd(upperFd)).Append(",workdir=").Append(Rootfs.SecurePath.ProcFd(workFd));
        sb.Append(userXattr ? ",userxattr" : ",redirect_dir=nofollow,metacopy=off");
        var data = sb.ToString();
        // The kernel copies at most one page of mount data (and cuts the rest silently on some versions).
        if (data.Length > 4095)
            throw new CartonException(ErrorKind.Unsupported,
                $"{what}: the option string for {lowerFds.Count} layers is {data.Length} bytes, over the 4095-byte mount(2) limit; this kernel has no fd-based overlay layers (Linux 6.13)");
        if (Libc.mount("overlay", target, "overlay", 0, data) < 0) throw SyscallException.Last($"{what}: mount(2)");
    }

    private static string Escape(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(":", "\\:", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal);
}
