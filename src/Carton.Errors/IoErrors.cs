namespace Carton;

/// <summary>
/// The errno behind an <see cref="IOException"/> that .NET's file APIs raised on Linux, where the exception's HResult is
/// the raw errno (ENOSPC is 28) and its message is strerror's text with the path ("No space left on device :
/// '/run/x'"). Carton's own errors name the operation, the path and the errno's name; these helpers let the layers
/// that write through FileStream say the same, and give a full disk the kind it has everywhere else
/// (<see cref="ErrorKind.ResourceExhausted"/>: exit code 1, HTTP 507).
/// </summary>
public static class IoErrors
{
    /// <summary>No space left on device.</summary>
    public const int ENOSPC = 28;

    /// <summary>Disk quota exceeded.</summary>
    public const int EDQUOT = 122;

    /// <summary>The errno of <paramref name="e"/>, when it is an IOException raised for a failed system call (not one
    /// a library made up with its own message, whose HResult is the generic COR_E_IO).</summary>
    public static int? ErrnoOf(Exception e) =>
        e is IOException io && !OperatingSystem.IsWindows() && io.HResult is > 0 and < 4096 ? io.HResult : null;

    /// <summary>True when <paramref name="e"/> (or an exception it wraps) is a write refused for lack of space or quota.</summary>
    public static bool IsOutOfSpace(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (ErrnoOf(e) is ENOSPC or EDQUOT || e is CartonException { Errno: ENOSPC or EDQUOT }) return true;
        return false;
    }

    /// <summary>A ResourceExhausted error for a write refused for lack of space: "<paramref name="operation"/>: no space
    /// left on device (ENOSPC)". The operation names what was written and where.</summary>
    public static CartonException OutOfSpace(string operation, Exception e)
    {
        int errno = Find(e) ?? ENOSPC;
        var what = errno == EDQUOT ? "disk quota exceeded (EDQUOT)" : "no space left on device (ENOSPC)";
        return new CartonException(ErrorKind.ResourceExhausted, $"{operation}: {what}", e, errno);
    }

    private static int? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            var n = ErrnoOf(e) ?? (e as CartonException)?.Errno;
            if (n is ENOSPC or EDQUOT) return n;
        }
        return null;
    }
}
