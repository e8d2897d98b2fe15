using Carton.Runtime;

namespace Carton.Compute.Linux;

/// <summary>Runtime-library failures as the compute API's typed errors: the same message, kind, errno and JSON path.</summary>
internal static class RuntimeErrors
{
    public static Exception Map(Exception e, string id) => e switch
    {
        ComputeException => e,
        ContainerNotFoundError => new ComputeSystemNotFoundException(id),
        ContainerExistsError => new ComputeSystemAlreadyExistsException(id),
        CartonException c => ComputeException.From(c),
        UnauthorizedAccessException => new ComputeException(ErrorKind.PermissionDenied, e.Message, e),
        IOException => new ComputeException(ErrorTable.KindOfErrno(Carton.Linux.Interop.Errno.FromException(e)), e.Message, e,
            Carton.Linux.Interop.Errno.FromException(e)),
        _ => e,
    };
}
