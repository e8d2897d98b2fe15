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

    /// <summary>
    /// <paramref name="e"/>'s message as a person should read it. Binaries built with UseSystemResourceKeys (all of
    /// Carton's, for size) carry .NET's resource keys instead of its texts: "IO_PathNotFound_Path, /root/.docker/x"
    /// reached users of `carton image login`. Those become "PATH: no such file or directory"; a key not listed here
    /// reads as the errno's strerror text when there is one; any other message is returned as it is.
    /// </summary>
    public static string Describe(Exception e)
    {
        var message = e.Message;
        int comma = message.IndexOf(", ", StringComparison.Ordinal);
        var key = comma < 0 ? message : message[..comma];
        if (key.Length == 0 || key.Contains(' ', StringComparison.Ordinal) || !key.Contains('_', StringComparison.Ordinal)) return message;
        var what = key switch
        {
            "IO_PathNotFound_Path" or "IO_PathNotFound_NoPathName" or "IO_FileNotFound_FileName" or "IO_FileNotFound" => "no such file or directory",
            "UnauthorizedAccess_IODenied_Path" or "UnauthorizedAccess_IODenied_NoPathName" => "permission denied",
            "IO_FileExists_Name" or "IO_AlreadyExists_Name" => "already exists",
            "IO_SharingViolation_File" or "IO_SharingViolation_NoFileName" => "in use by another process",
            "IO_DiskFull_Path_AllocationSize" => "no space left on device",
            "IO_PathTooLong_Path" or "IO_PathTooLong" => "path too long",
            _ => ErrnoOf(e) is int errno ? System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno) : null,
        };
        if (what is null) return message;
        return comma < 0 ? what : $"{message[(comma + 2)..].Split(", ")[0]}: {what}";
    }

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
