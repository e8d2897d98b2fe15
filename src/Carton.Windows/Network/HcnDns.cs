using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>HCN's <c>DNS</c>, of a network or an endpoint. On Windows this is what a container's resolver uses: HNS
/// applies it to the container's compartment, where Linux bind-mounts a resolv.conf.</summary>
public sealed class HcnDns
{
    /// <summary>The connection-specific suffix.</summary>
    [JsonPropertyName("Domain")] public string? Domain { get; set; }
    /// <summary>Search suffixes.</summary>
    [JsonPropertyName("Search")] public List<string>? Search { get; set; }
    /// <summary>Name servers.</summary>
    [JsonPropertyName("ServerList")] public List<string>? ServerList { get; set; }
    /// <summary>Resolver options ("ndots:2").</summary>
    [JsonPropertyName("Options")] public List<string>? Options { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
