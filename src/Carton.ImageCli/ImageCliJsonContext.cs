using System.Text.Json.Serialization;

namespace Carton.ImageCli;

/// <summary>`carton image ls --format json`: one entry per name.</summary>
public sealed class ImageListEntry
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("digest")] public string Digest { get; set; } = "";
    [JsonPropertyName("mediaType")] public string MediaType { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
}

/// <summary>`carton image inspect`: the name, what it points at, and the platform's manifest and config.</summary>
public sealed class ImageInspectView
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("digest")] public string Digest { get; set; } = "";
    [JsonPropertyName("manifestDigest")] public string ManifestDigest { get; set; } = "";
    [JsonPropertyName("manifest")] public Manifest Manifest { get; set; } = new();
    [JsonPropertyName("config")] public ImageConfigFile Config { get; set; } = new();
}

/// <summary>`carton image prune --format json`.</summary>
public sealed class PruneReport
{
    [JsonPropertyName("removedNames")] public List<string> RemovedNames { get; set; } = [];
    [JsonPropertyName("removedBlobs")] public List<PruneReportItem> RemovedBlobs { get; set; } = [];
    [JsonPropertyName("removedLayers")] public List<PruneReportItem> RemovedLayers { get; set; } = [];
    [JsonPropertyName("reclaimedBytes")] public long ReclaimedBytes { get; set; }
}

/// <summary>A blob (digest) or an unpacked layer (chain ID) a prune removed.</summary>
public sealed class PruneReportItem
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ImageListEntry>))]
[JsonSerializable(typeof(ImageInspectView))]
[JsonSerializable(typeof(PruneReport))]
public sealed partial class ImageCliJsonContext : JsonSerializerContext
{
    /// <summary>Indented, for what people read.</summary>
    public static ImageCliJsonContext Indented => s_indented ??= new(new JsonSerializerOptions(Default.Options) { WriteIndented = true });

    private static ImageCliJsonContext? s_indented;

}
