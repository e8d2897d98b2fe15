using System.Runtime.InteropServices;

namespace Carton.Linux.Cgroups;

/// <summary>
/// The few libc calls the cgroup layer needs. Raw calls (not FileStream/Directory) are used where the exact
/// errno matters: EBUSY on rmdir drives the destroy retry loop, ESRCH/ENOSPC on cgroup.procs must be reported
/// precisely, and the .NET wrappers fold EPERM and EACCES together.
/// </summary>
internal static unsafe partial class CgroupNative
{
    private const int O_WRONLY = 0x1, O_TRUNC = 0x200, O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Mkdir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Rmdir(string path);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>
    /// Writes <paramref name="value"/> with one write(2) on an O_WRONLY|O_TRUNC descriptor, the way runc does:
    /// cgroupfs parses each write separately, so the value must not be split or buffered. Returns 0 or the errno.
    /// Never creates the file: on a real cgroupfs a missing control file means the controller is absent.
    /// </summary>
    public static int WriteFile(string path, string value)
    {
        var fd = Open(path, O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
        if (fd < 0) return Marshal.GetLastPInvokeError();
        try
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            fixed (byte* p = bytes)
            {
                nint done = 0;
                while (done < bytes.Length)
                {
                    var n = Write(fd, p + done, bytes.Length - done);
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == CgroupErrno.EINTR) continue;
                        return errno;
                    }
                    done += n;
                }
            }
            return 0;
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>mkdir(2) with mode 0755; returns 0 or the errno.</summary>
    public static int MakeDirectory(string path) => Mkdir(path, 0x1ED) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>rmdir(2); returns 0 or the errno. On cgroupfs this is the only way to remove a cgroup (its control files cannot be unlinked).</summary>
    public static int RemoveDirectory(string path) => Rmdir(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>kill(2); returns 0 or the errno.</summary>
    public static int SendSignal(int pid, int signal) => Kill(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
