using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>
/// Owner, mode and times of a file, set through an open fd or, for what cannot be opened safely (symlinks, devices,
/// FIFOs), by name under a directory fd without following the last component. Each call returns 0 or the errno.
/// Order matters to callers: chown clears setuid/setgid and file capabilities, so owner first, then mode, then
/// extended attributes (<see cref="ExtendedAttributes"/>), then times.
/// </summary>
public static unsafe class FileMetadata
{
    private static int Err(int rc) => rc == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>fchown(2).</summary>
    public static int TrySetOwner(int fd, uint uid, uint gid) => Err(Libc.fchown(fd, uid, gid));

    /// <summary>fchownat(2) with AT_SYMLINK_NOFOLLOW: a symlink gets the owner itself.</summary>
    public static int TrySetOwnerNoFollow(int dirFd, string name, uint uid, uint gid) =>
        Err(Libc.fchownat(dirFd, name, uid, gid, Libc.AT_SYMLINK_NOFOLLOW));

    /// <summary>fchmod(2) with the permission and setuid/setgid/sticky bits of <paramref name="mode"/>.</summary>
    public static int TrySetMode(int fd, uint mode) => Err(Libc.fchmod(fd, mode & 0xFFF));

    /// <summary>fchmodat(2) with AT_SYMLINK_NOFOLLOW (glibc does it with fchmodat2 or an O_PATH fd and its magic link;
    /// a symlink is refused with EOPNOTSUPP instead of its target being changed).</summary>
    public static int TrySetModeNoFollow(int dirFd, string name, uint mode) =>
        Err(Libc.fchmodat(dirFd, name, mode & 0xFFF, Libc.AT_SYMLINK_NOFOLLOW));

    /// <summary>futimens(2): access and modification times, seconds and nanoseconds since the epoch.</summary>
    public static int TrySetTimes(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
    {
        var ts = stackalloc Libc.Timespec[2];
        ts[0] = new Libc.Timespec { Sec = atimeSec, Nsec = atimeNsec };
        ts[1] = new Libc.Timespec { Sec = mtimeSec, Nsec = mtimeNsec };
        return Err(Libc.futimens(fd, ts));
    }

    /// <summary>utimensat(2) with AT_SYMLINK_NOFOLLOW: a symlink's own times.</summary>
    public static int TrySetTimesNoFollow(int dirFd, string name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
    {
        var ts = stackalloc Libc.Timespec[2];
        ts[0] = new Libc.Timespec { Sec = atimeSec, Nsec = atimeNsec };
        ts[1] = new Libc.Timespec { Sec = mtimeSec, Nsec = mtimeNsec };
        return Err(Libc.utimensat(dirFd, name, ts, Libc.AT_SYMLINK_NOFOLLOW));
    }
}
