namespace Carton.Linux.Seccomp;

/// <summary>
/// An invalid seccomp profile (every problem found, each "json.path: message", e.g.
/// <c>linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"</c>), or a failure to load a filter.
/// </summary>
public sealed class SeccompException : CartonException
{
    /// <summary>The individual problems ("path: message"); a single entry for load failures.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>An invalid profile: every problem, the first one's path as <see cref="CartonException.JsonPath"/>.</summary>
    public SeccompException(IReadOnlyList<string> errors)
        : base(ErrorKind.InvalidDocument, string.Join("; ", errors), jsonPath: PathOf(errors)) => Errors = errors;

    /// <summary>A filter that could not be loaded (errno of seccomp(2) or prctl(2)), or 0 for a validation message.</summary>
    public SeccompException(string message, int errno = 0)
        : base(errno == 0 ? ErrorKind.InvalidDocument : ErrorTable.KindOfErrno(errno), message, errno: errno == 0 ? null : errno)
    {
        Errors = [message];
    }

    private static string? PathOf(IReadOnlyList<string> errors)
    {
        if (errors.Count == 0) return null;
        int colon = errors[0].IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && errors[0].StartsWith("linux.", StringComparison.Ordinal) ? errors[0][..colon] : null;
    }
}
