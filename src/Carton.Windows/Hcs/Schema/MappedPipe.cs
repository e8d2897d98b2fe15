// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "MappedPipe": a host named pipe visible in the container.</summary>
public sealed class MappedPipe
{
    /// <summary>The pipe's name in the container (without the \\.\pipe\ prefix).</summary>
    public string? ContainerPipeName { get; set; }

    /// <summary>The pipe on the host (\\.\pipe\name).</summary>
    public string? HostPath { get; set; }

    /// <summary>How HostPath is to be read ("AbsolutePath", "VirtualSmbShareName").</summary>
    public string? HostPathType { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
