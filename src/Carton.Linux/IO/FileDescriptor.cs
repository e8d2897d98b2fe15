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
    /// Marks every fd from <paramref name="first"/> up close-on-exec (close_range CLOSE_RANGE_CLOEXEC): nothing above
    /// the fds a program is meant to have reaches it (CVE-2024-21626). Best effort, as the kernel may lack close_range.
    /// </summary>
    public static void CloseOnExecFrom(int first) => Libc.CloseRange((uint)first, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC);
}
