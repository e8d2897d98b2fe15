// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Processor" (a container's, not a VM's): Count, Maximum and Weight, of which hcsshim allows one.</summary>
public sealed class Processor
{
    /// <summary>Processors available to the container.</summary>
    public int? Count { get; set; }

    /// <summary>Cycles per 10,000 the container may use in each scheduling interval (a percentage times 100).</summary>
    public int? Maximum { get; set; }

    /// <summary>Relative share of processor time, 0 to 10,000.</summary>
    public int? Weight { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
