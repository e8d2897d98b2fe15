using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>config.md "Root": the container's root filesystem.</summary>
public sealed class Root
{
    /// <summary>REQUIRED. Absolute, or relative to the bundle directory.</summary>
    [JsonPropertyName("path")] public string? Path { get; set; }
    /// <summary>OPTIONAL, defaults to false.</summary>
    [JsonPropertyName("readonly")] public bool? Readonly { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
