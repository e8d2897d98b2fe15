using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>HCN's <c>Route</c>, on a subnet (the routes its endpoints get) or on an endpoint.</summary>
public sealed class HcnRoute
{
    /// <summary>The gateway ("10.89.0.1").</summary>
    [JsonPropertyName("NextHop")] public string? NextHop { get; set; }
    /// <summary>The destination in CIDR form ("0.0.0.0/0" for the default route).</summary>
    [JsonPropertyName("DestinationPrefix")] public string? DestinationPrefix { get; set; }
    /// <summary>The route metric.</summary>
    [JsonPropertyName("Metric")] public ushort? Metric { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
