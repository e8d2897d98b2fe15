namespace Carton;

/// <summary>How one <see cref="ErrorKind"/> shows at each door: the CLI's exit code, the daemon's HTTP status and
/// default wire code.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Code">The wire code of the daemon's error bodies when the error names no more specific one.</param>
/// <param name="HttpStatus">The daemon's HTTP status.</param>
/// <param name="ExitCode">The CLI's exit code.</param>
public sealed record ErrorKindInfo(ErrorKind Kind, string Code, int HttpStatus, int ExitCode);

/// <summary>
/// The one table between error kinds and the outside (issue 8 §2). The CLI prints the message runc's way and exits
/// with <see cref="ErrorKindInfo.ExitCode"/>; the daemon answers <see cref="ErrorKindInfo.HttpStatus"/> with
/// <c>{"code","kind","message","jsonPath"?,"errno"?}</c>; Carton.Client turns that body back into the same typed exception.
/// </summary>
/// <remarks>
/// Exit codes: runc exits 1 for every error and engines (containerd's shim, conmon) rely on it, so every kind maps to 1.
/// HTTP statuses follow google.rpc's code mapping (NOT_FOUND 404, ALREADY_EXISTS 409, INVALID_ARGUMENT 400,
/// PERMISSION_DENIED 403, UNIMPLEMENTED 501, DEADLINE_EXCEEDED 504, UNAVAILABLE 503, INTERNAL 500), except that a
/// state conflict is 409 as Docker's API has it, and an exhausted resource is 507 (the usual cause is a full disk, not
/// a rate limit).
/// </remarks>
public static class ErrorTable
{
    private static readonly ErrorKindInfo[] Rows =
    [
        new(ErrorKind.Internal, "Failed", 500, 1),
        new(ErrorKind.NotFound, "NotFound", 404, 1),
        new(ErrorKind.AlreadyExists, "AlreadyExists", 409, 1),
        new(ErrorKind.InvalidDocument, "InvalidDocument", 400, 1),
        new(ErrorKind.InvalidState, "InvalidState", 409, 1),
        new(ErrorKind.Unsupported, "Unsupported", 501, 1),
        new(ErrorKind.PermissionDenied, "PermissionDenied", 403, 1),
        new(ErrorKind.ResourceExhausted, "ResourceExhausted", 507, 1),
        new(ErrorKind.Timeout, "Timeout", 504, 1),
        new(ErrorKind.Unavailable, "Unavailable", 503, 1),
    ];

    /// <summary>Wire codes more specific than their kind's, each with its kind (the daemon's API has used them since
    /// its first version; a client maps an unknown code through <see cref="KindOf"/>'s default).</summary>
    private static readonly Dictionary<string, ErrorKind> SpecificCodes = new(StringComparer.Ordinal)
    {
        ["Internal"] = ErrorKind.Internal,          // an unexpected exception in the daemon
        ["Protocol"] = ErrorKind.Internal,          // the client could not make sense of an answer
        ["AlreadyStopped"] = ErrorKind.InvalidState,
        ["NoPipe"] = ErrorKind.InvalidState,
        ["StreamInUse"] = ErrorKind.InvalidState,
        ["InvalidId"] = ErrorKind.InvalidDocument,
        ["BadRequest"] = ErrorKind.InvalidDocument,
        ["RequestTooLarge"] = ErrorKind.InvalidDocument,
        ["ProcessNotFound"] = ErrorKind.NotFound,
        ["ShuttingDown"] = ErrorKind.Unavailable,
    };

    /// <summary>Every kind's row, in <see cref="ErrorKind"/> order.</summary>
    public static IReadOnlyList<ErrorKindInfo> All => Rows;

    /// <summary>The row of <paramref name="kind"/>.</summary>
    public static ErrorKindInfo Of(ErrorKind kind) => (int)kind >= 0 && (int)kind < Rows.Length ? Rows[(int)kind] : Rows[0];

    /// <summary>The kind of a wire code: a kind's own code, a specific code, or <see cref="ErrorKind.Internal"/> for an unknown one.</summary>
    public static ErrorKind KindOf(string code)
    {
        foreach (var row in Rows)
            if (row.Code == code) return row.Kind;
        return SpecificCodes.TryGetValue(code, out var kind) ? kind : ErrorKind.Internal;
    }

    /// <summary>The kind of an HTTP status when the body names no code (a proxy's answer, say).</summary>
    public static ErrorKind KindOfStatus(int status)
    {
        foreach (var row in Rows)
            if (row.HttpStatus == status) return row.Kind;
        return status is >= 400 and < 500 ? ErrorKind.InvalidDocument : ErrorKind.Internal;
    }

    /// <summary>
    /// The kind a failed system call's errno implies. Only errnos that say something about the caller's situation map
    /// to a kind of their own; ENOENT does not mean NotFound here (a missing mount source is not a missing container).
    /// </summary>
    public static ErrorKind KindOfErrno(int errno) => errno switch
    {
        1 or 13 => ErrorKind.PermissionDenied,                    // EPERM, EACCES
        12 or 23 or 24 or 28 or 122 => ErrorKind.ResourceExhausted, // ENOMEM, ENFILE, EMFILE, ENOSPC, EDQUOT
        38 or 95 => ErrorKind.Unsupported,                          // ENOSYS, EOPNOTSUPP
        110 => ErrorKind.Timeout,                                   // ETIMEDOUT
        _ => ErrorKind.Internal,
    };
}
