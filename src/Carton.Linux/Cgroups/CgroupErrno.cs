using System.Globalization;
using System.Runtime.InteropServices;

namespace Carton.Linux.Cgroups;

/// <summary>
/// errno values and names for cgroup errors. Kept local to the cgroup layer (rather than shared) so the cgroup
/// code has no compile-time dependency on interop files that change independently; the output format
/// ("strerror in lower case (ENAME)") matches the rest of Carton's errors.
/// </summary>
public static class CgroupErrno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
        EACCES = 13, EBUSY = 16, EEXIST = 17, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28,
        EROFS = 30, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
        // Linux defines ENOTSUP as the same number as EOPNOTSUPP.
        EOPNOTSUPP = 95, ENOTSUP = 95, ETIMEDOUT = 110;

    private static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR", [EIO] = "EIO",
        [EBADF] = "EBADF", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EBUSY] = "EBUSY",
        [EEXIST] = "EEXIST", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
        [ENOSPC] = "ENOSPC", [EROFS] = "EROFS", [ENAMETOOLONG] = "ENAMETOOLONG", [ENOSYS] = "ENOSYS",
        [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [EOPNOTSUPP] = "EOPNOTSUPP", [ETIMEDOUT] = "ETIMEDOUT",
    };

    // Fixed texts for the errnos the cgroup layer actually meets, so messages do not depend on the libc's locale
    // tables; anything else falls back to strerror.
    private static readonly Dictionary<int, string> Texts = new()
    {
        [EPERM] = "operation not permitted", [ENOENT] = "no such file or directory", [ESRCH] = "no such process",
        [EINTR] = "interrupted system call", [EIO] = "input/output error", [EBADF] = "bad file descriptor",
        [EAGAIN] = "resource temporarily unavailable", [ENOMEM] = "cannot allocate memory", [EACCES] = "permission denied",
        [EBUSY] = "device or resource busy", [EEXIST] = "file exists", [ENODEV] = "no such device",
        [ENOTDIR] = "not a directory", [EISDIR] = "is a directory", [EINVAL] = "invalid argument",
        [ENOSPC] = "no space left on device", [EROFS] = "read-only file system", [ENAMETOOLONG] = "file name too long",
        [ENOSYS] = "function not implemented", [ENOTEMPTY] = "directory not empty",
        [ELOOP] = "too many levels of symbolic links", [EOPNOTSUPP] = "operation not supported",
        [ETIMEDOUT] = "connection timed out",
    };

    /// <summary>"EBUSY" for 16; "E&lt;n&gt;" for numbers without a known name.</summary>
    public static string Name(int errno) =>
        Names.TryGetValue(errno, out var name) ? name : "E" + errno.ToString(CultureInfo.InvariantCulture);

    /// <summary>"device or resource busy (EBUSY)".</summary>
    public static string Describe(int errno)
    {
        if (!Texts.TryGetValue(errno, out var text))
        {
            text = Marshal.GetPInvokeErrorMessage(errno);
            if (text.Length > 0) text = char.ToLowerInvariant(text[0]) + text[1..];
        }
        return $"{text} ({Name(errno)})";
    }

    /// <summary>
    /// Recovers the errno behind a .NET file-system exception. On Unix the runtime raises a plain IOException whose
    /// HResult is the raw errno, except for a few errnos it turns into dedicated exception types.
    /// </summary>
    public static int FromException(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => ENOENT,
        // The runtime folds EACCES, EPERM and EBADF into this type; EACCES is by far the most likely for cgroup files.
        UnauthorizedAccessException => EACCES,
        PathTooLongException => ENAMETOOLONG,
        IOException io when io.HResult > 0 && io.HResult < 4096 => io.HResult,
        _ => EIO,
    };
}
