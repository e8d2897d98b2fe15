using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Cgroups.Stats;

/// <summary>Constants and eventfd helpers for <see cref="CgroupOomWatcher"/> (the calls themselves are in <see cref="Libc"/>).</summary>
internal static unsafe class CgroupOomNative
{
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public const int IN_CLOEXEC = 0x80000, IN_NONBLOCK = 0x800;
    public const uint IN_MODIFY = 0x2, IN_IGNORED = 0x8000;
    public const short POLLIN = 0x1;

    /// <summary>struct inotify_event without its trailing name.</summary>
    public const int InotifyEventHeaderSize = 16;

    /// <summary>Reads an eventfd's 8-byte counter (resetting it); 0 when nothing is pending (non-blocking fd).</summary>
    public static ulong ReadCounter(int fd)
    {
        ulong value = 0;
        while (true)
        {
            if (Libc.read(fd, &value, 8) == 8) return value;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.Errno.EINTR) return 0;
        }
    }

    /// <summary>Adds 1 to an eventfd's counter, waking a poll on it.</summary>
    public static void Signal(int fd)
    {
        ulong one = 1;
        Libc.write(fd, &one, 8);
    }
}
