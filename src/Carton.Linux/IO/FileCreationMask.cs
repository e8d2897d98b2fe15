using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>The process's umask (process-wide, unlike the credentials Carton sets per thread).</summary>
public static class FileCreationMask
{
    /// <summary>Sets the umask; returns the previous one.</summary>
    public static uint Set(uint mask) => Libc.umask(mask);

    /// <summary>Sets the umask until the result is disposed, which restores the previous one.</summary>
    public static IDisposable Override(uint mask) => new Restore(Libc.umask(mask));

    private sealed class Restore(uint previous) : IDisposable
    {
        public void Dispose() => Libc.umask(previous);
    }
}
