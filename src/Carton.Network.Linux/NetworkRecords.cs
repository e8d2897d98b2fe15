using System.Text.Json.Serialization;

namespace Carton.Network.Linux;

/// <summary>A network as stored: its public view and the CNI configuration list it runs.</summary>
internal sealed class NetworkRecord
{
    [JsonPropertyName("info")] public NetworkInfo Info { get; set; } = new();
    [JsonPropertyName("confList")] public string ConfList { get; set; } = "";
    /// <summary>True when Carton keeps a masquerade rule for the network's subnet (its bridge networks that are not internal).</summary>
    [JsonPropertyName("masquerade")] public bool Masquerade { get; set; }
    /// <summary>True when Carton keeps the network's forward rules (<see cref="NetworkForwarding"/>) in place of the
    /// firewall plugin: bridge networks that are not internal, made since that change.</summary>
    [JsonPropertyName("forward")] public bool Forward { get; set; }
}

/// <summary>Source-generated JSON for the stored records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(NetworkRecord))]
[JsonSerializable(typeof(EndpointInfo))]
[JsonSerializable(typeof(NamespaceInfo))]
internal sealed partial class NetworkRecordsJsonContext : JsonSerializerContext;
