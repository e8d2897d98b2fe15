// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "VirtualSmb": VSMB shares of a VM.</summary>
public sealed class VirtualSmb
{
    /// <summary>The shares.</summary>
    public List<VirtualSmbShare>? Shares { get; set; }

    /// <summary>Direct map size.</summary>
    public long? DirectFileMappingInMB { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
