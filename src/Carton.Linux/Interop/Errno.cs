using System.Runtime.InteropServices;

namespace Carton.Linux.Interop;

/// <summary>errno values and the "message (ENAME)" text that ends every Carton error (design.md §4).</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9,
        ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19,
        ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28,
        ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36, ENOSYS = 38,
        ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOPNOTSUPP = 95, ENOTSUP = 95 /* the same number as EOPNOTSUPP on Linux */, EADDRINUSE = 98, ECONNRESET = 104, ECONNREFUSED = 111, ETIMEDOUT = 110, ESTALE = 116;

    private static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR", [EIO] = "EIO", [ENXIO] = "ENXIO",
        [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN",
        [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
        [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
        [ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY", [ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG",
        [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EMLINK] = "EMLINK", [EPIPE] = "EPIPE",
        [ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK", [ENAMETOOLONG] = "ENAMETOOLONG", [ENOSYS] = "ENOSYS",
        [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [ENODATA] = "ENODATA", [EOPNOTSUPP] = "EOPNOTSUPP", [EADDRINUSE] = "EADDRINUSE", [ECONNRESET] = "ECONNRESET",
        [ECONNREFUSED] = "ECONNREFUSED", [ETIMEDOUT] = "ETIMEDOUT", [ESTALE] = "ESTALE",
    };

    public static string Name(int errno) => Names.TryGetValue(errno, out var n) ? n : "E" + errno.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The errno behind a .NET file-system exception. On Unix the runtime raises a plain IOException whose HResult is
    /// the raw errno, except for a few errnos it turns into dedicated exception types.
    /// </summary>
    public static int FromException(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => ENOENT,
        // The runtime folds EACCES, EPERM and EBADF into this type; EACCES is by far the most likely.
        UnauthorizedAccessException => EACCES,
        PathTooLongException => ENAMETOOLONG,
        IOException io when io.HResult > 0 && io.HResult < 4096 => io.HResult,
        _ => EIO,
    };

    /// <summary>"operation not permitted (EPERM)": strerror in lower case, then the errno name.</summary>
    public static string Describe(int errno)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        if (text.Length > 0) text = char.ToLowerInvariant(text[0]) + text[1..];
        return $"{text} ({Name(errno)})";
    }
}

/// <summary>A failed system call: the operation and path first, the errno last.</summary>
public sealed class SyscallException : CartonException
{
    public SyscallException(string operation, int errno)
        : base(ErrorTable.KindOfErrno(errno), $"{operation}: {Interop.Errno.Describe(errno)}", errno: errno) { }

    /// <summary>The errno of the failed call (never null for this type).</summary>
    public new int Errno => base.Errno ?? 0;

    /// <summary>Throws for the errno of the last P/Invoke.</summary>
    public static SyscallException Last(string operation) => new(operation, Marshal.GetLastPInvokeError());
}
