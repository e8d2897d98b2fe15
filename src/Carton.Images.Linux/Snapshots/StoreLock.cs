using Carton.Linux.IO;

namespace Carton.Images.Linux.Snapshots;

/// <summary>An exclusive flock on a lock file, held until disposed. flock locks belong to the open file description,
/// so two threads of one process exclude each other as two processes do.</summary>
internal sealed class StoreLock : IDisposable
{
    private int _fd;

    private StoreLock(int fd) => _fd = fd;

    public static StoreLock Take(string path, string what)
    {
        int fd = FileDescriptor.Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.NoFollow, $"{what}: open {path}", 0x180);
        try { FileLock.Exclusive(fd, $"{what}: lock {path}"); }
        catch
        {
            FileDescriptor.Close(fd);
            throw;
        }
        return new StoreLock(fd);
    }

    public void Dispose()
    {
        FileDescriptor.Close(_fd);
        _fd = -1;
    }
}
