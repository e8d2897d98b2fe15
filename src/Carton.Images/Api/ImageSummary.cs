using System.Text.Json.Serialization;

namespace Carton.Images.Api;

/// <summary>One named image in <c>GET /v1/images</c>: a row of `carton image ls`.</summary>
public sealed class ImageSummary
{
    /// <summary>The canonical name (docker.io/library/busybox:latest).</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>The digest the name points at: the index's for a multi-platform image, else the manifest's.</summary>
    [JsonPropertyName("digest")] public string Digest { get; set; } = "";

    /// <summary>That document's media type (an index or a manifest).</summary>
    [JsonPropertyName("mediaType")] public string MediaType { get; set; } = "";

    /// <summary>That document's size in bytes (not the layers').</summary>
    [JsonPropertyName("size")] public long Size { get; set; }
}
