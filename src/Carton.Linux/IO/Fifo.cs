using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>Named pipes.</summary>
public static class Fifo
{
    /// <summary>
    /// mkfifo with exactly <paramref name="mode"/> (the umask is cleared around the call); throws "mkfifo PATH: ..."
    /// on failure.
    /// </summary>
    public static void Create(string path, int mode)
    {
        uint oldMask = Libc.umask(0);
        int rc = Libc.mkfifo(path, (uint)mode);
        Libc.umask(oldMask);
        if (rc < 0) throw SyscallException.Last($"mkfifo {path}");
    }
}
