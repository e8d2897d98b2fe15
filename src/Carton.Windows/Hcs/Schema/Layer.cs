// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Layer": one read-only layer of a container.</summary>
public sealed class Layer
{
    /// <summary>The layer's GUID (hcsshim: vmcompute's NameToGuid of the folder's base name).</summary>
    public string? Id { get; set; }

    /// <summary>The layer folder.</summary>
    public string? Path { get; set; }

    /// <summary>How Path is to be read ("AbsolutePath", "VirtualSmbShareName").</summary>
    public string? PathType { get; set; }

    /// <summary>Caching mode ("Unspecified", "Disabled", "Enabled"); unspecified means enabled.</summary>
    public string? Cache { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
