using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>syncfs(2): everything written to the file system that holds an fd, on disk, in one call. A layer unpack
/// calls it once per layer instead of an fsync per file (thousands of small files would each wait for the disk).</summary>
public static class FileSystemSync
{
    /// <summary>syncfs of the file system behind <paramref name="fd"/>; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void Sync(int fd, string operation)
    {
        if (Libc.syncfs(fd) < 0) throw SyscallException.Last(operation);
    }
}
