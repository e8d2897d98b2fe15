namespace Carton.Runtime;

/// <summary>An error a user can act on; its message is the whole story (engines read only the last line).</summary>
public class RuntimeError : Exception
{
    public RuntimeError(string message) : base(message) { }
    public RuntimeError(string message, Exception inner) : base(message, inner) { }
}

public sealed class ContainerNotFoundError(string id) : RuntimeError($"container \"{id}\" does not exist");
public sealed class ContainerExistsError(string id) : RuntimeError($"container with id \"{id}\" already exists");
