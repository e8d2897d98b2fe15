namespace Carton.Compute;

/// <summary>Base of the typed errors of the compute API; <see cref="Code"/> is stable across the wire (the daemon's error bodies).</summary>
public class ComputeException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

public sealed class ComputeSystemNotFoundException(string id)
    : ComputeException("NotFound", $"compute system \"{id}\" does not exist");

public sealed class ComputeSystemAlreadyExistsException(string id)
    : ComputeException("AlreadyExists", $"compute system \"{id}\" already exists");

/// <summary>The document is invalid; <see cref="JsonPath"/> names the field.</summary>
public sealed class InvalidComputeDocumentException(string jsonPath, string message)
    : ComputeException("InvalidDocument", $"{jsonPath}: {message}")
{
    public string JsonPath { get; } = jsonPath;
}

public sealed class ComputeSystemAlreadyStoppedException(string id)
    : ComputeException("AlreadyStopped", $"compute system \"{id}\" has already stopped");

public sealed class InvalidComputeSystemStateException(string id, string state, string operation)
    : ComputeException("InvalidState", $"cannot {operation} compute system \"{id}\": it is {state}");

/// <summary>The id is not a valid compute system id (runc's container id rules, or a name the service reserves).</summary>
public sealed class InvalidComputeSystemIdException(string id, string message)
    : ComputeException("InvalidId", message)
{
    public string Id { get; } = id;
}
