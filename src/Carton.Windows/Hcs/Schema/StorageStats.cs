// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "StorageStats": IO of a container.</summary>
public sealed class StorageStats
{
    /// <summary>Reads, normalized.</summary>
    public ulong? ReadCountNormalized { get; set; }

    /// <summary>Bytes read.</summary>
    public ulong? ReadSizeBytes { get; set; }

    /// <summary>Writes, normalized.</summary>
    public ulong? WriteCountNormalized { get; set; }

    /// <summary>Bytes written.</summary>
    public ulong? WriteSizeBytes { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
