namespace Carton;

/// <summary>What went wrong, in terms a caller can act on. Every Carton error has exactly one kind; the kind, not the
/// exception type, decides the CLI exit code, the HTTP status and the typed exception a client gets back
/// (<see cref="ErrorTable"/>).</summary>
public enum ErrorKind
{
    /// <summary>A failure the caller cannot fix by changing its request (a mount the kernel refused, a bug).</summary>
    Internal = 0,
    /// <summary>The named object (container, compute system, process, image) does not exist.</summary>
    NotFound,
    /// <summary>An object with that name already exists.</summary>
    AlreadyExists,
    /// <summary>The document, request or argument is invalid; <see cref="CartonException.JsonPath"/> names the field when there is one.</summary>
    InvalidDocument,
    /// <summary>The operation does not fit the object's state (start of a running container).</summary>
    InvalidState,
    /// <summary>The request is valid but this host or build cannot do it (a kernel feature, an LSM, a platform).</summary>
    Unsupported,
    /// <summary>The caller lacks a permission the operation needs (EPERM, EACCES).</summary>
    PermissionDenied,
    /// <summary>A limit was hit: disk full, out of memory or fds, too many processes.</summary>
    ResourceExhausted,
    /// <summary>The operation did not finish in its time (a hook, a kill that did not take).</summary>
    Timeout,
    /// <summary>The service cannot be reached, or is shutting down.</summary>
    Unavailable,
}
