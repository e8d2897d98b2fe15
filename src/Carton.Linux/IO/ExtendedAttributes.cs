using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>
/// Extended attributes (xattr(7)), values as raw bytes: security.capability is binary. Set through an open fd, or by
/// name under a directory fd without following the last component (symlinks, devices and FIFOs cannot be opened for
/// fsetxattr): lsetxattr on "/proc/self/fd/DIRFD/NAME", where the magic link reaches the directory already resolved
/// and only NAME is looked up, not followed. Every kernel since 2.6 has it; setxattrat(2) (6.13) would spare the
/// procfs. Each call returns 0 or the errno.
/// </summary>
public static unsafe class ExtendedAttributes
{
    private static int Err(int rc) => rc == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>fsetxattr(2).</summary>
    public static int TrySet(int fd, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value) return Err(Libc.fsetxattr(fd, name, p, (nuint)value.Length, 0));
    }

    /// <summary>lsetxattr(2) of <paramref name="entry"/> under <paramref name="dirFd"/>, not following it.</summary>
    public static int TrySetNoFollow(int dirFd, string entry, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value) return Err(Libc.lsetxattr(Rootfs.SecurePath.ProcFd(dirFd) + "/" + entry, name, p, (nuint)value.Length, 0));
    }

    /// <summary>lgetxattr(2) of a host path (not following its last component); null when the attribute is absent.</summary>
    public static byte[]? Get(string path, string name)
    {
        while (true)
        {
            nint size = Libc.lgetxattr(path, name, null, 0);
            if (size < 0)
            {
                int e = Marshal.GetLastPInvokeError();
                if (e == Errno.ENODATA) return null;
                throw new SyscallException($"getxattr {name} of {path}", e);
            }
            var buf = new byte[size];
            fixed (byte* p = buf)
            {
                nint n = Libc.lgetxattr(path, name, p, (nuint)buf.Length);
                if (n >= 0) return n == buf.Length ? buf : buf[..(int)n];
                if (Marshal.GetLastPInvokeError() != Errno.ERANGE) throw SyscallException.Last($"getxattr {name} of {path}");
            }
        }
    }

    /// <summary>llistxattr(2) of a host path (not following its last component): the attribute names.</summary>
    public static List<string> List(string path)
    {
        while (true)
        {
            nint size = Libc.llistxattr(path, null, 0);
            if (size < 0) throw SyscallException.Last($"listxattr {path}");
            var buf = new byte[size];
            fixed (byte* p = buf)
            {
                nint n = Libc.llistxattr(path, p, (nuint)buf.Length);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Errno.ERANGE) continue;
                    throw SyscallException.Last($"listxattr {path}");
                }
                var names = new List<string>();
                int start = 0;
                for (int i = 0; i < n; i++)
                {
                    if (buf[i] != 0) continue;
                    if (i > start) names.Add(System.Text.Encoding.UTF8.GetString(buf, start, i - start));
                    start = i + 1;
                }
                return names;
            }
        }
    }
}
