namespace Carton.Compute.Windows.Translation;

/// <summary>What the OCI spec does not say and the container document needs: who owns the system, how layer ids are
/// made, how many processors the container may be given, and (Hyper-V isolation) which utility VM hosts it.</summary>
public sealed class OciToHcsOptions
{
    /// <summary>The ComputeSystem's Owner (hcsshim: the shim's owner name). Shown by hcsdiag.</summary>
    public string Owner { get; init; } = "carton";

    /// <summary>Gives each layer folder its id (vmcompute's NameToGuid on Windows).</summary>
    public required ILayerIdSource LayerIds { get; init; }

    /// <summary>The processors the container can have: the host's for process isolation, the utility VM's for Hyper-V
    /// isolation. A larger windows.resources.cpu.count is lowered to it, as hcsshim's NormalizeProcessorCount does.</summary>
    public required int ProcessorCount { get; init; }

    /// <summary>The HCN namespace the backend created for windows.network.endpointList (HCN attaches endpoints to a
    /// namespace; the container document names only the namespace). Unused when the spec names a networkNamespace.</summary>
    public string? EndpointNamespace { get; init; }

    /// <summary>The id of the utility VM that hosts a Hyper-V isolated container (windows.hyperv). The translation does
    /// not create the VM: without this id, windows.hyperv is Unsupported.</summary>
    public string? HostingSystemId { get; init; }
}
