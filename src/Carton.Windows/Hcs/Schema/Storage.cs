// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Storage": a container's layers and scratch space.</summary>
public sealed class Storage
{
    /// <summary>The read-only parent layers, topmost first, base last.</summary>
    public List<Layer>? Layers { get; set; }

    /// <summary>The scratch space: the volume path of the container's writable layer.</summary>
    public string? Path { get; set; }

    /// <summary>IO limits of the container's system drive.</summary>
    public StorageQoS? QoS { get; set; }

    /// <summary>The root of the file system of a HostProcess container.</summary>
    public string? PrivilegedContainerRootPath { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
