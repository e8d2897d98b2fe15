// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "RegistryKey": a key in one of the container's hives.</summary>
public sealed class RegistryKey
{
    /// <summary>The hive, as a string (see <see cref="RegistryHive"/>).</summary>
    public string? Hive { get; set; }

    /// <summary>The key's path in the hive.</summary>
    public string? Name { get; set; }

    /// <summary>Whether the key is volatile (not persisted).</summary>
    public bool? Volatile { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
