using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>HCN's schema <c>Version</c>: every object carries one ({"Major": 2, "Minor": 0} for the V2 API that
/// computenetwork.dll speaks, as hcsshim's hcn.V2SchemaVersion).</summary>
public sealed class HcnSchemaVersion
{
    /// <summary>The major version (2).</summary>
    [JsonPropertyName("Major")] public uint Major { get; set; } = 2;
    /// <summary>The minor version (0).</summary>
    [JsonPropertyName("Minor")] public uint Minor { get; set; }
    /// <summary>Fields this version of Carton does not know, kept as they came.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>2.0.</summary>
    public static HcnSchemaVersion V2 => new() { Major = 2, Minor = 0 };
}
