using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>
/// Raw file descriptors: open (always close-on-exec), read, write and close. Errors read
/// "operation: strerror (ENAME)", with the operation (and its path) given by the caller.
/// </summary>
public static unsafe class FileDescriptor
{
    /// <summary>Opens <paramref name="path"/> with O_CLOEXEC added; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static int Open(string path, OpenFlags flags, string operation, int mode = 0)
    {
        int fd = Libc.open(path, (int)flags | Libc.O_CLOEXEC, (uint)mode);
        if (fd < 0) throw SyscallException.Last(operation);
        return fd;
    }

    /// <summary>Opens <paramref name="path"/> with O_CLOEXEC added; returns the fd, or -errno.</summary>
    public static int TryOpen(string path, OpenFlags flags, int mode = 0)
    {
        int fd = Libc.open(path, (int)flags | Libc.O_CLOEXEC, (uint)mode);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>openat(2) relative to <paramref name="dirFd"/>, O_CLOEXEC added; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static int OpenAt(int dirFd, string path, OpenFlags flags, string operation, int mode = 0)
    {
        int fd = Libc.openat(dirFd, path, (int)flags | Libc.O_CLOEXEC, (uint)mode);
        if (fd < 0) throw SyscallException.Last(operation);
        return fd;
    }

    /// <summary>Closes <paramref name="fd"/>; negative fds are ignored, and so is an error (the fd is gone either way).</summary>
    public static void Close(int fd)
    {
        if (fd >= 0) Libc.close(fd);
    }

    /// <summary>One read(2): the count read (0 at end of file), or -errno. EINTR is returned, not retried.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            nint n = Libc.read(fd, p, (nuint)buffer.Length);
            return n >= 0 ? (int)n : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>poll(2) for input on one fd: true when it is readable or hung up (a read then returns data, 0 or an
    /// error), false at the timeout or on EINTR.</summary>
    public static bool WaitReadable(int fd, int timeoutMilliseconds)
    {
        var p = new Libc.PollFd { Fd = fd, Events = 0x001 /* POLLIN */ };
        return Libc.poll(&p, 1, timeoutMilliseconds) > 0;
    }

    /// <summary>One write(2): the count written, or -errno. EINTR is returned, not retried.</summary>
    public static int Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            nint n = Libc.write(fd, p, (nuint)data.Length);
            return n >= 0 ? (int)n : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, retrying EINTR and short writes; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data, string operation)
    {
        int off = 0;
        while (off < data.Length)
        {
            int n = Write(fd, data[off..]);
            if (n < 0)
            {
                if (-n == Errno.EINTR) continue;
                throw new SyscallException(operation, -n);
            }
            off += n;
        }
    }

    /// <summary>fsync(2): the file's data and metadata (for a directory: its entries, such as a rename into it) on
    /// disk; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void Sync(int fd, string operation)
    {
        if (Libc.fsync(fd) < 0) throw SyscallException.Last(operation);
    }

    /// <summary>
    /// Marks every fd from <paramref name="first"/> up close-on-exec, so nothing above the fds a program is meant to
    /// have reaches it (CVE-2024-21626): close_range(CLOSE_RANGE_CLOEXEC), checked. When the kernel lacks it (ENOSYS,
    /// or EINVAL before 5.11 for the flag) or a seccomp filter denies it (EPERM), every fd listed in
    /// <paramref name="proc"/>'s self/fd is marked one by one with fcntl; without a procfs to list them, it throws.
    /// Call it before a seccomp filter is loaded: the filter may deny close_range and fcntl alike.
    /// </summary>
    public static void CloseOnExecFrom(int first, Func<ProcFs>? proc)
    {
        if (Libc.CloseRange((uint)first, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC) == 0) return;
        int e = Marshal.GetLastPInvokeError();
        if (e != Errno.ENOSYS && e != Errno.EPERM && e != Errno.EINVAL)
            throw new SyscallException($"close_range {first}..~0 CLOSE_RANGE_CLOEXEC", e);
        if (proc is null) throw new SyscallException($"close_range {first}..~0 CLOSE_RANGE_CLOEXEC (and no procfs to list the open fds)", e);
        foreach (int fd in proc().OpenFds())
        {
            if (fd < first) continue;
            if (Libc.fcntl(fd, Libc.F_SETFD, Libc.FD_CLOEXEC) < 0 && Marshal.GetLastPInvokeError() is var fe && fe != Errno.EBADF)
                throw new SyscallException($"fcntl {fd} F_SETFD FD_CLOEXEC (close_range failed: {Errno.Name(e)})", fe);
        }
    }

    /// <summary>close_range(CLOSE_RANGE_CLOEXEC) from <paramref name="first"/> up, its result ignored (what carton did
    /// before the "close-range-before-seccomp" defence; kept for that switch only).</summary>
    public static void CloseOnExecFromUnchecked(int first) => Libc.CloseRange((uint)first, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC);
}
