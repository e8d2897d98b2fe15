// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "MappedDirectory": a host directory visible in the container (a bind mount).</summary>
public sealed class MappedDirectory
{
    /// <summary>The directory on the host (or in the utility VM).</summary>
    public string? HostPath { get; set; }

    /// <summary>How HostPath is to be read ("AbsolutePath", "VirtualSmbShareName").</summary>
    public string? HostPathType { get; set; }

    /// <summary>Where it appears in the container.</summary>
    public string? ContainerPath { get; set; }

    /// <summary>Whether the container may only read it.</summary>
    public bool? ReadOnly { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
