using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>Directory entries made and removed where the errno matters (EEXIST is how a second create of one id is detected).</summary>
public static class Directories
{
    /// <summary>mkdir(2) of exactly <paramref name="path"/> with <paramref name="mode"/> (less the umask); returns 0 or the errno.</summary>
    public static int TryCreate(string path, int mode) =>
        Libc.mkdirat(Libc.AT_FDCWD, path, (uint)mode) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>unlinkat(2) of the non-directory <paramref name="name"/> in the directory <paramref name="dirFd"/>
    /// (never followed: a symlink is removed, not its target); returns 0 or the errno.</summary>
    public static int TryRemoveEntry(int dirFd, string name) =>
        Libc.unlinkat(dirFd, name, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
