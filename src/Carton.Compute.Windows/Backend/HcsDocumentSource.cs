using Carton.Compute;

namespace Carton.Compute.Windows;

/// <summary>The HCS documents for one compute system: what HcsCreateComputeSystem gets, and the init process's
/// ProcessParameters for the HcsCreateProcess that follows HcsStartComputeSystem (a process-isolated container has no
/// init of its own until one is created: hcsshim does the same, internal/hcsoci then the shim's init task).</summary>
/// <param name="ComputeSystem">The ComputeSystem document (schema v2 JSON).</param>
/// <param name="InitProcess">The init's ProcessParameters document (JSON); null: the system runs no init (a
/// utility VM, say), and its exit is the system's exit.</param>
public sealed record HcsDocuments(string ComputeSystem, string? InitProcess);

/// <summary>Turns a contract document into HCS documents (the OCI → HCS translation lives in
/// Carton.Compute.Windows.Translation; the backend only takes its output). Throws
/// <see cref="InvalidComputeDocumentException"/> naming the field for a document it cannot translate.</summary>
/// <param name="id">The compute system id.</param>
/// <param name="document">The contract's document.</param>
public delegate HcsDocuments HcsDocumentSource(string id, ComputeSystemDocument document);
