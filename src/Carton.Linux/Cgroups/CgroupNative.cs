using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Cgroups;

/// <summary>
/// The few libc calls the cgroup layer needs. Raw calls (not FileStream/Directory) are used where the exact
/// errno matters: EBUSY on rmdir drives the destroy retry loop, ESRCH/ENOSPC on cgroup.procs must be reported
/// precisely, and the .NET wrappers fold EPERM and EACCES together.
/// </summary>
internal static unsafe class CgroupNative
{
    /// <summary>
    /// Writes <paramref name="value"/> with one write(2) on an O_WRONLY|O_TRUNC descriptor, the way runc does:
    /// cgroupfs parses each write separately, so the value must not be split or buffered. Returns 0 or the errno.
    /// Never creates the file: on a real cgroupfs a missing control file means the controller is absent.
    /// </summary>
    public static int WriteFile(string path, string value)
    {
        var fd = Libc.open(path, Libc.O_WRONLY | Libc.O_TRUNC | Libc.O_CLOEXEC, 0);
        if (fd < 0) return Marshal.GetLastPInvokeError();
        try
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            fixed (byte* p = bytes)
            {
                nint done = 0;
                while (done < bytes.Length)
                {
                    var n = Libc.write(fd, p + done, (nuint)(bytes.Length - done));
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Interop.Errno.EINTR) continue;
                        return errno;
                    }
                    done += n;
                }
            }
            return 0;
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>mkdir(2) with mode 0755; returns 0 or the errno.</summary>
    public static int MakeDirectory(string path) => Libc.mkdir(path, 0x1ED) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>rmdir(2); returns 0 or the errno. On cgroupfs this is the only way to remove a cgroup (its control files cannot be unlinked).</summary>
    public static int RemoveDirectory(string path) => Libc.rmdir(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>kill(2); returns 0 or the errno.</summary>
    public static int SendSignal(int pid, int signal) => Libc.kill(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
