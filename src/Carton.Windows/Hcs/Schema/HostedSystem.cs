// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "HostedSystem": a container created inside a utility VM (Hyper-V isolation).</summary>
public sealed class HostedSystem
{
    /// <summary>The schema version of the hosted container document.</summary>
    public SchemaVersion? SchemaVersion { get; set; }

    /// <summary>The container.</summary>
    public Container? Container { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
