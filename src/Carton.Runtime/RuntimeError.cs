namespace Carton.Runtime;

/// <summary>An error a user can act on; its message is the whole story (engines read only the last line).</summary>
public class RuntimeError : CartonException
{
    /// <summary>A failure of the given kind (<see cref="ErrorKind.Internal"/> unless said otherwise).</summary>
    public RuntimeError(string message, ErrorKind kind = ErrorKind.Internal, string? jsonPath = null) : base(kind, message, jsonPath: jsonPath) { }

    /// <summary>A failure with every detail given (an error that crossed a process boundary, raised again).</summary>
    public RuntimeError(ErrorKind kind, string message, int? errno, string? jsonPath, string? reason)
        : base(kind, message, errno: errno, jsonPath: jsonPath, reason: reason) { }

    /// <summary>A failure caused by <paramref name="inner"/>: its kind, errno and JSON path carry over.</summary>
    public RuntimeError(string message, Exception inner)
        : base((inner as CartonException)?.Kind ?? ErrorKind.Internal, message, inner, (inner as CartonException)?.Errno,
            (inner as CartonException)?.JsonPath, (inner as CartonException)?.Reason) { }
}

public sealed class ContainerNotFoundError(string id) : RuntimeError($"container \"{id}\" does not exist", ErrorKind.NotFound);
public sealed class ContainerExistsError(string id) : RuntimeError($"container with id \"{id}\" already exists", ErrorKind.AlreadyExists);
