using Carton.Linux.Interop;

namespace Carton.Linux.Spawn;

/// <summary>
/// A sealed in-memory copy of the running carton binary (design.md §3 item 1, CVE-2019-5736). The container's
/// init is exec'd from this memfd, so /proc/&lt;init&gt;/exe points at a file that no write can change (F_SEAL_WRITE),
/// never at the host's /usr/bin/carton.
/// </summary>
public static unsafe class SealedExecutable
{
    /// <summary>Copies <paramref name="binary"/> (default: the running program) into a sealed memfd and returns its fd.</summary>
    public static int Create(string binary = "/proc/self/exe", string name = "carton")
    {
        int src = Libc.open(binary, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (src < 0) throw SyscallException.Last($"open {binary}");
        try
        {
            int memfd = Libc.MemfdCreate(name, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING | Libc.MFD_EXEC);
            if (memfd < 0) memfd = Libc.MemfdCreate(name, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING); // kernels before 6.3
            if (memfd < 0) throw SyscallException.Last("memfd_create for the sealed carton copy");
            var st = Rootfs.FileType.Of(src, binary);
            long remaining = st.Size;
            while (remaining > 0)
            {
                nint n = Libc.sendfile(memfd, src, null, (nuint)Math.Min(remaining, 1L << 30));
                if (n <= 0) { Libc.close(memfd); throw SyscallException.Last("copy carton into its memfd"); }
                remaining -= n;
            }
            if (Libc.fcntl(memfd, Libc.F_ADD_SEALS, Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE) < 0)
            {
                Libc.close(memfd);
                throw SyscallException.Last("seal the carton memfd");
            }
            return memfd;
        }
        finally { Libc.close(src); }
    }
}
