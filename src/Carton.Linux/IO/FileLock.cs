using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>flock(2) locks, held until the fd is closed.</summary>
public static class FileLock
{
    /// <summary>Takes an exclusive lock on <paramref name="fd"/>, waiting for it; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void Exclusive(int fd, string operation)
    {
        if (Libc.flock(fd, 2 /* LOCK_EX */) < 0) throw SyscallException.Last(operation);
    }
}
