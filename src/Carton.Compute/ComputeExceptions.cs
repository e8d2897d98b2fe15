namespace Carton.Compute;

/// <summary>Base of the typed errors of the compute API. <see cref="CartonException.Kind"/> decides the daemon's HTTP
/// status (<see cref="ErrorTable"/>); <see cref="CartonException.Code"/> is stable across the wire.</summary>
/// <remarks>Thrown as is (not a subclass) for runtime failures, with the runtime's message, kind and errno; and by
/// Carton.Client for the daemon's errors (kind <see cref="ErrorKind.Unavailable"/> when the daemon cannot be reached).</remarks>
public class ComputeException : CartonException
{
    /// <summary>An error with a wire code; its kind is the code's (<see cref="ErrorTable.KindOf"/>).</summary>
    /// <param name="code">The stable error code ("NotFound", "InvalidDocument", "Failed", ...).</param>
    /// <param name="message">The human-readable message.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public ComputeException(string code, string message, Exception? inner = null)
        : base(ErrorTable.KindOf(code), message, inner, code: code) { }

    /// <summary>An error of a kind, with every detail.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">The human-readable message.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    /// <param name="errno">The errno of a failed system call, if any.</param>
    /// <param name="jsonPath">The invalid field, if any.</param>
    /// <param name="reason">What is wrong with the field.</param>
    /// <param name="code">A wire code more specific than the kind's.</param>
    public ComputeException(ErrorKind kind, string message, Exception? inner = null, int? errno = null,
        string? jsonPath = null, string? reason = null, string? code = null)
        : base(kind, message, inner, errno, jsonPath, reason, code) { }

    /// <summary>A failure of a lower layer (the runtime, the kernel) as a compute error with the same message, kind,
    /// errno and JSON path.</summary>
    /// <param name="e">The failure.</param>
    public static ComputeException From(CartonException e) => e as ComputeException
        ?? new ComputeException(e.Kind, e.Message, e, e.Errno, e.JsonPath, e.Reason);
}

/// <summary>No compute system has this id (kind NotFound; HTTP 404 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
public sealed class ComputeSystemNotFoundException(string id)
    : ComputeException(ErrorKind.NotFound, $"compute system \"{id}\" does not exist")
{
    /// <summary>The compute system id.</summary>
    public string Id { get; } = id;
}

/// <summary>A compute system with this id already exists (kind AlreadyExists; HTTP 409 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
public sealed class ComputeSystemAlreadyExistsException(string id)
    : ComputeException(ErrorKind.AlreadyExists, $"compute system \"{id}\" already exists")
{
    /// <summary>The compute system id.</summary>
    public string Id { get; } = id;
}

/// <summary>The document is invalid; <see cref="JsonPath"/> names the field (kind InvalidDocument; HTTP 400 on the daemon).</summary>
/// <param name="jsonPath">The invalid field as a JSON path of the document ("Container.Memory.SizeInMB", "process.args", "$").</param>
/// <param name="message">What is wrong with it.</param>
public sealed class InvalidComputeDocumentException(string jsonPath, string message)
    : ComputeException(ErrorKind.InvalidDocument, $"{jsonPath}: {message}", jsonPath: jsonPath, reason: message)
{
    /// <summary>The invalid field as a JSON path of the document ("$" for the document as a whole).</summary>
    public new string JsonPath => base.JsonPath ?? "$";
}

/// <summary>Shutdown or terminate of a system whose init has already exited (kind InvalidState, code "AlreadyStopped"; HTTP 409 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
public sealed class ComputeSystemAlreadyStoppedException(string id)
    : ComputeException(ErrorKind.InvalidState, $"compute system \"{id}\" has already stopped", code: "AlreadyStopped")
{
    /// <summary>The compute system id.</summary>
    public string Id { get; } = id;
}

/// <summary>The operation does not fit the system's state, e.g. start of a running system (kind InvalidState; HTTP 409 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
/// <param name="state">Its current state (created, running, paused, stopped).</param>
/// <param name="operation">The refused operation ("start", "create a process in", ...).</param>
public sealed class InvalidComputeSystemStateException(string id, string state, string operation)
    : ComputeException(ErrorKind.InvalidState, $"cannot {operation} compute system \"{id}\": it is {state}")
{
    /// <summary>The compute system id.</summary>
    public string Id { get; } = id;
    /// <summary>Its state when the operation was refused.</summary>
    public string State { get; } = state;
    /// <summary>The refused operation.</summary>
    public string Operation { get; } = operation;
}

/// <summary>The id is not a valid compute system id (runc's container id rules, or a name the service reserves) (kind InvalidDocument, code "InvalidId"; HTTP 400 on the daemon).</summary>
/// <param name="id">The rejected id.</param>
/// <param name="message">Why it is rejected.</param>
public sealed class InvalidComputeSystemIdException(string id, string message)
    : ComputeException(ErrorKind.InvalidDocument, message, code: "InvalidId")
{
    /// <summary>The rejected id.</summary>
    public string Id { get; } = id;
}
