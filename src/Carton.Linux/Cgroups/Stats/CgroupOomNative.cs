using System.Runtime.InteropServices;

namespace Carton.Linux.Cgroups;

/// <summary>libc calls for <see cref="CgroupOomWatcher"/>: eventfd, inotify, poll and raw read/write/close.</summary>
internal static unsafe partial class CgroupOomNative
{
    public const int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public const int IN_CLOEXEC = 0x80000, IN_NONBLOCK = 0x800;
    public const uint IN_MODIFY = 0x2, IN_IGNORED = 0x8000;
    public const short POLLIN = 0x1;

    /// <summary>struct inotify_event without its trailing name.</summary>
    public const int InotifyEventHeaderSize = 16;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>Reads an eventfd's 8-byte counter (resetting it); 0 when nothing is pending (non-blocking fd).</summary>
    public static ulong ReadCounter(int fd)
    {
        ulong value = 0;
        while (true)
        {
            if (Read(fd, (byte*)&value, 8) == 8) return value;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != CgroupErrno.EINTR) return 0;
        }
    }

    /// <summary>Adds 1 to an eventfd's counter, waking a poll on it.</summary>
    public static void Signal(int fd)
    {
        ulong one = 1;
        Write(fd, (byte*)&one, 8);
    }
}
