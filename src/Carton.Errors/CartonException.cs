namespace Carton;

/// <summary>
/// The base of every error Carton raises on purpose. Its message is the whole story for a person (engines read only
/// the last line of runc's output, so the root cause goes there); <see cref="Kind"/>, <see cref="Errno"/> and
/// <see cref="JsonPath"/> are the same story for a program.
/// </summary>
public class CartonException : Exception
{
    private readonly string? _code;

    /// <summary>An error of the given kind.</summary>
    /// <param name="kind">What went wrong, for programs (decides exit code and HTTP status).</param>
    /// <param name="message">The whole story, for people: the operation and path first, the errno name last.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    /// <param name="errno">The errno behind the failure, when a system call failed.</param>
    /// <param name="jsonPath">The invalid field of a document ("linux.resources.memory.limit"), when there is one.</param>
    /// <param name="reason">What is wrong with that field (the message without the path).</param>
    /// <param name="code">The stable wire code when it is more specific than the kind's ("AlreadyStopped", "InvalidId").</param>
    public CartonException(ErrorKind kind, string message, Exception? inner = null, int? errno = null,
        string? jsonPath = null, string? reason = null, string? code = null) : base(message, inner)
    {
        Kind = kind;
        Errno = errno;
        JsonPath = jsonPath;
        Reason = reason;
        _code = code;
    }

    /// <summary>What went wrong, for programs.</summary>
    public ErrorKind Kind { get; }

    /// <summary>The errno of the failed system call, or null.</summary>
    public int? Errno { get; }

    /// <summary>The invalid field as a JSON path of the document ("$" for the document as a whole), or null.</summary>
    public string? JsonPath { get; }

    /// <summary>What is wrong with <see cref="JsonPath"/>, without the path; null when there is no path.</summary>
    public string? Reason { get; }

    /// <summary>The stable code on the wire (the daemon's error bodies): the kind's code unless a more specific one was given.</summary>
    public string Code => _code ?? ErrorTable.Of(Kind).Code;
}
