// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Version": the HCS schema version of a document (Major.Minor).</summary>
public sealed class SchemaVersion
{
    /// <summary>Major version (2 for the v2 schema).</summary>
    public int? Major { get; set; }

    /// <summary>Minor version.</summary>
    public int? Minor { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
