using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>HCN's <c>HostComputeQuery</c>, the query string of the Enumerate and Query functions: a schema version, flags
/// (0 standard properties, 1 detailed) and a filter (a JSON object of field values, as a string).</summary>
public sealed class HostComputeQuery
{
    /// <summary>The schema version (2.0).</summary>
    [JsonPropertyName("SchemaVersion")] public HcnSchemaVersion SchemaVersion { get; set; } = HcnSchemaVersion.V2;
    /// <summary>HostComputeQueryFlags: 0 None, 1 Detailed.</summary>
    [JsonPropertyName("Flags")] public uint? Flags { get; set; }
    /// <summary>A filter: a JSON object, as a string ("{\"Name\":\"carton\"}").</summary>
    [JsonPropertyName("Filter")] public string? Filter { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The query hcsshim sends by default: schema 2.0, standard properties, no filter.</summary>
    public static string Default => JsonSerializer.Serialize(new HostComputeQuery(), HcnJsonContext.Default.HostComputeQuery);
}
