// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Statistics": runtime statistics of a container (the Statistics property).</summary>
public sealed class Statistics
{
    /// <summary>When they were read.</summary>
    public DateTime? Timestamp { get; set; }

    /// <summary>When the container started.</summary>
    public DateTime? ContainerStartTime { get; set; }

    /// <summary>Uptime, in 100 ns.</summary>
    public ulong? Uptime100ns { get; set; }

    /// <summary>CPU usage.</summary>
    public ProcessorStats? Processor { get; set; }

    /// <summary>Memory usage.</summary>
    public MemoryStats? Memory { get; set; }

    /// <summary>IO usage.</summary>
    public StorageStats? Storage { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
