// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>The document HcsCreateComputeSystem takes (schema "ComputeSystem"): a process-isolated container (Container), a virtual machine (VirtualMachine), or a container hosted in a utility VM (HostingSystemId + HostedSystem).</summary>
public sealed class ComputeSystem
{
    /// <summary>Who created the system; shown by hcsdiag and used to find one's own systems.</summary>
    public string? Owner { get; set; }

    /// <summary>The schema version the document is written in (2.1 for hcsshim's WCOW containers).</summary>
    public SchemaVersion? SchemaVersion { get; set; }

    /// <summary>The id of the utility VM that hosts this container (Hyper-V isolation).</summary>
    public string? HostingSystemId { get; set; }

    /// <summary>The container document passed to the hosting utility VM (Hyper-V isolation).</summary>
    public HostedSystem? HostedSystem { get; set; }

    /// <summary>A process-isolated (Argon) container.</summary>
    public Container? Container { get; set; }

    /// <summary>A virtual machine (the utility VM of Hyper-V isolation).</summary>
    public VirtualMachine? VirtualMachine { get; set; }

    /// <summary>Whether HCS terminates the system when its last handle is closed (hcsshim sets it, so a crashed shim leaves nothing behind).</summary>
    public bool? ShouldTerminateOnLastHandleClosed { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
