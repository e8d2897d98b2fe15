// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "MemoryStats": memory usage of a container.</summary>
public sealed class MemoryStats
{
    /// <summary>Committed bytes.</summary>
    public ulong? MemoryUsageCommitBytes { get; set; }

    /// <summary>Peak committed bytes.</summary>
    public ulong? MemoryUsageCommitPeakBytes { get; set; }

    /// <summary>Private working set bytes.</summary>
    public ulong? MemoryUsagePrivateWorkingSetBytes { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
