namespace Carton.Linux.Cgroups;

/// <summary>
/// A cgroup operation failed or a cgroup configuration is invalid. The message always names the file or
/// directory involved and, for system-call failures, ends with the errno text and name ("... (EBUSY)") so
/// that the CLI can print it unchanged, the way runc reports cgroup errors.
/// </summary>
public sealed class CgroupException : CartonException
{
    /// <summary>The file or directory involved, when there is one.</summary>
    public string? Path { get; }

    /// <summary>A failure that is not a system call's; a message that starts with a linux.resources path is an invalid
    /// document naming that path.</summary>
    public CgroupException(string message) : base(KindOf(message), message, jsonPath: JsonPathOf(message)) { }

    public CgroupException(string message, Exception inner) : base((inner as CartonException)?.Kind ?? ErrorKind.Internal, message, inner,
        errno: (inner as CartonException)?.Errno) { }

    /// <summary>"&lt;operation&gt;: &lt;strerror&gt; (&lt;ENAME&gt;)", e.g. "remove cgroup /sys/fs/cgroup/memory/x: device or resource busy (EBUSY)".</summary>
    public CgroupException(string operation, string? path, int errno, Exception? inner = null)
        : base(ErrorTable.KindOfErrno(errno), $"{operation}: {Interop.Errno.Describe(errno)}", inner, errno)
    {
        Path = path;
    }

    private static string? JsonPathOf(string message)
    {
        if (!message.StartsWith("linux.", StringComparison.Ordinal)) return null;
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? message[..colon] : null;
    }

    private static ErrorKind KindOf(string message) => JsonPathOf(message) is null ? ErrorKind.Internal : ErrorKind.InvalidDocument;
}
