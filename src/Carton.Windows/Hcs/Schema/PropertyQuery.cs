// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "PropertyQuery": which properties HcsGetComputeSystemProperties returns beyond the basic ones.</summary>
public sealed class PropertyQuery
{
    /// <summary>Property types (see <see cref="PropertyType"/>).</summary>
    public List<string>? PropertyTypes { get; set; }

    /// <summary>Named queries with their query objects (schema 2.5+).</summary>
    public Dictionary<string, JsonElement>? Queries { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
