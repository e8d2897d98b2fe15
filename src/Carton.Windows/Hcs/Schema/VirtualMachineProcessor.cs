// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "VirtualMachineProcessor" (the subset a utility VM uses).</summary>
public sealed class VirtualMachineProcessor
{
    /// <summary>Virtual processors.</summary>
    public uint? Count { get; set; }

    /// <summary>Cycles per 100,000 the VM may use.</summary>
    public ulong? Limit { get; set; }

    /// <summary>Relative weight.</summary>
    public ulong? Weight { get; set; }

    /// <summary>Reserved cycles per 100,000.</summary>
    public ulong? Reservation { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
