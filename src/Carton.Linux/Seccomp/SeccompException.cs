namespace Carton.Linux.Seccomp;

/// <summary>
/// An invalid seccomp profile (every problem found, each "json.path: message", e.g.
/// <c>linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"</c>), or a failure to load a filter.
/// </summary>
public sealed class SeccompException : Exception
{
    /// <summary>The individual problems ("path: message"); a single entry for load failures.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The errno of a failed seccomp(2) or prctl(2), 0 for validation errors.</summary>
    public int Errno { get; }

    public SeccompException(IReadOnlyList<string> errors) : base(string.Join("; ", errors)) => Errors = errors;

    public SeccompException(string message, int errno = 0) : base(message)
    {
        Errors = [message];
        Errno = errno;
    }
}
