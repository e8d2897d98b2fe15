// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Container": the configuration of a Windows Server (process-isolated) container.</summary>
public sealed class Container
{
    /// <summary>Guest OS settings (the host name).</summary>
    public GuestOs? GuestOs { get; set; }

    /// <summary>Layers, scratch path and storage QoS.</summary>
    public Storage? Storage { get; set; }

    /// <summary>Host directories mapped into the container.</summary>
    public List<MappedDirectory>? MappedDirectories { get; set; }

    /// <summary>Host named pipes mapped into the container.</summary>
    public List<MappedPipe>? MappedPipes { get; set; }

    /// <summary>Memory limit.</summary>
    public Memory? Memory { get; set; }

    /// <summary>CPU count, maximum or weight.</summary>
    public Processor? Processor { get; set; }

    /// <summary>Network namespace and DNS settings.</summary>
    public Networking? Networking { get; set; }

    /// <summary>HvSocket configuration.</summary>
    public HvSocket? HvSocket { get; set; }

    /// <summary>Registry values to add and keys to delete in the container's registry.</summary>
    public RegistryChanges? RegistryChanges { get; set; }

    /// <summary>"HostProcess" for a HostProcess container; absent for an ordinary one.</summary>
    public string? IsolationType { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
