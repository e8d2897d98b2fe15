using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>File ownership.</summary>
public static class Ownership
{
    /// <summary>chown of <paramref name="path"/> itself (a symlink is not followed); returns 0 or the errno.</summary>
    public static int TrySetNoFollow(string path, uint uid, uint gid) =>
        Libc.fchownat(Libc.AT_FDCWD, path, uid, gid, Libc.AT_SYMLINK_NOFOLLOW) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
