namespace Carton.Compute;

/// <summary>Base of the typed errors of the compute API; <see cref="Code"/> is stable across the wire (the daemon's error bodies).</summary>
/// <remarks>Thrown as is (not a subclass) with code "Failed" for runtime failures (the runtime's message), and by
/// Carton.Client with the daemon's code ("Unavailable" when the daemon cannot be reached).</remarks>
/// <param name="code">The stable error code ("NotFound", "InvalidDocument", "Failed", ...).</param>
/// <param name="message">The human-readable message.</param>
/// <param name="inner">The underlying exception, if any.</param>
public class ComputeException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The error code: NotFound, AlreadyExists, InvalidDocument, AlreadyStopped, InvalidState, InvalidId, Failed, or a daemon code.</summary>
    public string Code { get; } = code;
}

/// <summary>No compute system has this id (code "NotFound"; HTTP 404 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
public sealed class ComputeSystemNotFoundException(string id)
    : ComputeException("NotFound", $"compute system \"{id}\" does not exist");

/// <summary>A compute system with this id already exists (code "AlreadyExists"; HTTP 409 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
public sealed class ComputeSystemAlreadyExistsException(string id)
    : ComputeException("AlreadyExists", $"compute system \"{id}\" already exists");

/// <summary>The document is invalid; <see cref="JsonPath"/> names the field (code "InvalidDocument"; HTTP 400 on the daemon).</summary>
/// <param name="jsonPath">The invalid field as a JSON path of the document ("Container.Memory.SizeInMB", "process.args", "$").</param>
/// <param name="message">What is wrong with it.</param>
public sealed class InvalidComputeDocumentException(string jsonPath, string message)
    : ComputeException("InvalidDocument", $"{jsonPath}: {message}")
{
    /// <summary>The invalid field as a JSON path of the document ("$" for the document as a whole).</summary>
    public string JsonPath { get; } = jsonPath;
}

/// <summary>Shutdown or terminate of a system whose init has already exited (code "AlreadyStopped"; HTTP 409 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
public sealed class ComputeSystemAlreadyStoppedException(string id)
    : ComputeException("AlreadyStopped", $"compute system \"{id}\" has already stopped");

/// <summary>The operation does not fit the system's state, e.g. start of a running system (code "InvalidState"; HTTP 409 on the daemon).</summary>
/// <param name="id">The compute system id.</param>
/// <param name="state">Its current state (created, running, paused, stopped).</param>
/// <param name="operation">The refused operation ("start", "create a process in", ...).</param>
public sealed class InvalidComputeSystemStateException(string id, string state, string operation)
    : ComputeException("InvalidState", $"cannot {operation} compute system \"{id}\": it is {state}");

/// <summary>The id is not a valid compute system id (runc's container id rules, or a name the service reserves) (code "InvalidId"; HTTP 400 on the daemon).</summary>
/// <param name="id">The rejected id.</param>
/// <param name="message">Why it is rejected.</param>
public sealed class InvalidComputeSystemIdException(string id, string message)
    : ComputeException("InvalidId", message)
{
    /// <summary>The rejected id.</summary>
    public string Id { get; } = id;
}
