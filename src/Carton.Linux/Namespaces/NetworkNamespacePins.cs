using System.Runtime.InteropServices;
using Carton.Linux.Interop;
using Carton.Oci;

namespace Carton.Linux.Namespaces;

/// <summary>
/// Network namespaces kept alive by a bind mount of their nsfs file (what `ip netns add` does), so that a network
/// attachment outlives every process in it and several containers can join one (a pod).
/// <para>
/// design.md §2 says never to create or join a namespace from the .NET process, because mount, user and pid
/// namespaces are per process (unshare moves one thread, or fails with threads). A network namespace is per
/// <i>thread</i> (task): unshare(CLONE_NEWNET) on one thread changes that thread only, with no restriction on a
/// threaded process. So a pin is made on a dedicated thread that unshares, bind-mounts its own
/// /proc/thread-self/ns/net onto the pin, and ends: no pooled thread is ever left in another namespace, and the
/// other threads never see it. No process is spawned (an `ip netns add` or a clone would cost a fork and an exec).
/// </para>
/// </summary>
public static class NetworkNamespacePins
{
    private const int CLONE_NEWNET = 0x40000000;
    private const long NsfsMagic = 0x6e736673;

    /// <summary>
    /// Makes the pin directory a shared mount of its own (once), so that a pin added or removed later propagates to
    /// the mount namespaces that copied it (containers created meanwhile), as `ip netns` does for /run/netns; without
    /// it an unmounted pin stays alive in a copy and its namespace (with its veth) leaks.
    /// </summary>
    public static void PrepareDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        if (!IsOwnMount(directory) && Libc.mount(directory, directory, null, MountConstants.MS_BIND, null) < 0)
            throw SyscallException.Last($"bind {directory} on itself");
        if (Libc.mount(null, directory, null, MountConstants.MS_SHARED, null) < 0)
            throw SyscallException.Last($"make {directory} shared");
    }

    /// <summary>Creates a new network namespace pinned at <paramref name="pinPath"/> (which must not exist), with its
    /// loopback up. On failure nothing is left.</summary>
    public static void Create(string pinPath)
    {
        int fd = Libc.open(pinPath, Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDONLY | Libc.O_CLOEXEC, 0x124 /* 0444 */);
        if (fd < 0) throw SyscallException.Last($"create network namespace pin {pinPath}");
        Libc.close(fd);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            // This thread ends right after: it is never returned to a pool in the new namespace.
            if (Libc.unshare(CLONE_NEWNET) < 0) { failure = SyscallException.Last("unshare network namespace"); return; }
            if (Libc.mount($"/proc/thread-self/ns/net", pinPath, null, MountConstants.MS_BIND, null) < 0)
            {
                failure = SyscallException.Last($"pin network namespace at {pinPath}");
                return;
            }
            // lo up, here where this thread already is: what CNI's loopback plugin does, without a process
            failure = LoopbackUp(pinPath);
        }, 256 * 1024) { IsBackground = true, Name = "carton-netns" };
        thread.Start();
        thread.Join();
        if (failure is null) return;
        Libc.umount2(pinPath, Libc.MNT_DETACH);
        File.Delete(pinPath);
        throw failure;
    }

    /// <summary>SIOCGIFFLAGS/SIOCSIFFLAGS on "lo" of the calling thread's network namespace: IFF_UP (the kernel gives
    /// lo its 127.0.0.1/8 and ::1 when it comes up).</summary>
    private static unsafe Exception? LoopbackUp(string pinPath)
    {
        const int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
        const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
        const short IFF_UP = 0x1;
        int fd = Libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return SyscallException.Last($"bring lo up in {pinPath}: socket");
        try
        {
            // struct ifreq: char ifr_name[16], then a union whose first short is ifr_flags (40 bytes in all)
            var ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            "lo"u8.CopyTo(new Span<byte>(ifr, 16));
            if (Libc.ioctl(fd, SIOCGIFFLAGS, ifr) < 0) return SyscallException.Last($"bring lo up in {pinPath}: SIOCGIFFLAGS");
            *(short*)(ifr + 16) |= IFF_UP;
            if (Libc.ioctl(fd, SIOCSIFFLAGS, ifr) < 0) return SyscallException.Last($"bring lo up in {pinPath}: SIOCSIFFLAGS");
            return null;
        }
        finally { Libc.close(fd); }
    }

    /// <summary>True when <paramref name="pinPath"/> is a pinned namespace (an nsfs file), not a plain file left over.</summary>
    public static unsafe bool IsPinned(string pinPath)
    {
        int fd = Libc.open(pinPath, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) return false;
        try
        {
            // O_PATH fds work with fstatfs (since 3.x)
            var buf = stackalloc byte[Arch.MaxStatSize];
            return Libc.fstatfs(fd, buf) == 0 && *(long*)(buf + Arch.Layouts.StatfsType) == NsfsMagic;
        }
        finally { Libc.close(fd); }
    }

    /// <summary>Unpins and removes <paramref name="pinPath"/>; the namespace goes when its last process leaves. A pin
    /// already gone is not an error.</summary>
    public static void Remove(string pinPath)
    {
        // unmount every layer (a pin bind-mounted twice by a race or by hand), then unlink
        for (int i = 0; i < 8 && Libc.umount2(pinPath, Libc.MNT_DETACH) == 0; i++) { }
        int err = Marshal.GetLastPInvokeError();
        if (err is not (0 or Errno.EINVAL or Errno.ENOENT)) throw new SyscallException($"unmount network namespace pin {pinPath}", err);
        try { File.Delete(pinPath); }
        catch (DirectoryNotFoundException) { }
    }

    private static bool IsOwnMount(string directory)
    {
        var full = Path.GetFullPath(directory).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var f = line.Split(' ');
            if (f.Length > 4 && f[4] == full) return true;
        }
        return false;
    }
}
