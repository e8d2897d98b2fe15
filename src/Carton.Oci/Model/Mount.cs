using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>config.md "Mounts" entry (POSIX-platform mounts).</summary>
public sealed class Mount
{
    /// <summary>REQUIRED. Path inside the container; carton requires it to be absolute.</summary>
    [JsonPropertyName("destination")] public string? Destination { get; set; }
    /// <summary>Filesystem type (mount(2) fstype); "bind"/"none" with a bind option for bind mounts.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    /// <summary>Mount options, see <see cref="MountOptionParser"/>.</summary>
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
    /// <summary>config.md: idmapped mount mappings (requires the idmap/ridmap option semantics).</summary>
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
