namespace Carton.Compute;

/// <summary>
/// The Host Compute Service model on Linux: a container (a "compute system") is created from one document in one
/// call, then driven through <see cref="IComputeSystem"/>. Implemented in-process by <c>ComputeService</c> and
/// over the `carton serve` socket by Carton.Client's ComputeClient, so switching between them is a one-line change.
/// </summary>
public interface IComputeService
{
    /// <summary>Creates a compute system from an OCI or HCS-shaped document. The system is created, not started.
    /// A failed create leaves nothing behind.</summary>
    /// <param name="id">The new system's id (runc's container id rules).</param>
    /// <param name="document">Exactly one of an OCI spec or an HCS document.</param>
    /// <param name="cancellationToken">Cancels waiting for another operation on the same id (not the create itself).</param>
    /// <exception cref="ComputeSystemAlreadyExistsException">the id is taken</exception>
    /// <exception cref="InvalidComputeSystemIdException">the id is not valid</exception>
    /// <exception cref="InvalidComputeDocumentException">the document is invalid (the message names the JSON path)</exception>
    /// <exception cref="ComputeException">code "Failed": the runtime could not create it (mount, cgroup, spawn)</exception>
    Task<IComputeSystem> CreateComputeSystemAsync(string id, ComputeSystemDocument document, CancellationToken cancellationToken = default);

    /// <summary>Opens an existing compute system; never waits for a create in progress.</summary>
    /// <exception cref="ComputeSystemNotFoundException">no such system</exception>
    /// <exception cref="InvalidComputeSystemIdException">the id is not valid</exception>
    Task<IComputeSystem> OpenComputeSystemAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The compute systems matching <paramref name="query"/> (all when null).</summary>
    IAsyncEnumerable<ComputeSystemSummary> EnumerateComputeSystemsAsync(ComputeSystemQuery? query = null, CancellationToken cancellationToken = default);
}
