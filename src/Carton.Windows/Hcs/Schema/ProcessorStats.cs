// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "ProcessorStats": CPU usage of a container.</summary>
public sealed class ProcessorStats
{
    /// <summary>Total CPU time, in 100 ns.</summary>
    public ulong? TotalRuntime100ns { get; set; }

    /// <summary>User time, in 100 ns.</summary>
    public ulong? RuntimeUser100ns { get; set; }

    /// <summary>Kernel time, in 100 ns.</summary>
    public ulong? RuntimeKernel100ns { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
