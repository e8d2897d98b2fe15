using System.Globalization;

namespace Carton.Windows.JobObjects;

/// <summary>
/// A job object call that failed: the message names the call, the job and the Win32 error ("SetInformationJobObject
/// (JobObjectExtendedLimitInformation) job carton-1: error 87 (ERROR_INVALID_PARAMETER)"), or a limit Carton refused
/// before calling. <see cref="CartonException.Kind"/> is what the error says about the caller's situation.
/// </summary>
public sealed class JobObjectException : CartonException
{
    /// <summary>A failed call, with its Win32 error.</summary>
    /// <param name="call">The kernel32 function and, for Set/Query, the information class.</param>
    /// <param name="job">The job's name, or "(unnamed job)".</param>
    /// <param name="win32Error">GetLastError's value after the call.</param>
    public JobObjectException(string call, string job, int win32Error)
        : base(KindOf(win32Error), $"{call} job {job}: {Describe(win32Error)}")
    {
        Call = call;
        Win32Error = win32Error;
    }

    /// <summary>A refusal with a kind and a reason of its own (an invalid limit, say).</summary>
    public JobObjectException(ErrorKind kind, string call, string message, string? field = null)
        : base(kind, message, jsonPath: field, reason: field is null ? null : message)
    {
        Call = call;
    }

    /// <summary>The call that failed.</summary>
    public string Call { get; }

    /// <summary>The Win32 error, or 0 when Carton refused before calling.</summary>
    public int Win32Error { get; }

    /// <summary>"error 5 (ERROR_ACCESS_DENIED)", or "error N" for an error without a well-known name.</summary>
    public static string Describe(int win32Error)
    {
        var n = win32Error.ToString(CultureInfo.InvariantCulture);
        string? name = win32Error switch
        {
            5 => "ERROR_ACCESS_DENIED",
            6 => "ERROR_INVALID_HANDLE",
            8 => "ERROR_NOT_ENOUGH_MEMORY",
            24 => "ERROR_BAD_LENGTH",
            87 => "ERROR_INVALID_PARAMETER",
            183 => "ERROR_ALREADY_EXISTS",
            735 => "ERROR_ABANDONED_WAIT_0",
            1450 => "ERROR_NO_SYSTEM_RESOURCES",
            _ => null,
        };
        return name is null ? $"error {n}" : $"error {n} ({name})";
    }

    private static ErrorKind KindOf(int win32Error) => win32Error switch
    {
        5 => ErrorKind.PermissionDenied,
        6 or 735 => ErrorKind.InvalidState,
        8 or 1450 => ErrorKind.ResourceExhausted,
        24 or 87 => ErrorKind.InvalidDocument,
        183 => ErrorKind.AlreadyExists,
        _ => ErrorKind.Internal,
    };
}
