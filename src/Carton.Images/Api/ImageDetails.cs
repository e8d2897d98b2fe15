using System.Text.Json.Serialization;
using Carton.Images.Model;

namespace Carton.Images.Api;

/// <summary><c>GET /v1/images/{ref}</c>: the image resolved to one platform, as `carton image inspect` shows it.</summary>
public sealed class ImageDetails
{
    /// <summary>The canonical name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>The digest the name points at (an index's or a manifest's).</summary>
    [JsonPropertyName("digest")] public string Digest { get; set; } = "";

    /// <summary>The media type of what the name points at.</summary>
    [JsonPropertyName("mediaType")] public string MediaType { get; set; } = "";

    /// <summary>The platform's manifest digest (equal to <see cref="Digest"/> for a single-platform image).</summary>
    [JsonPropertyName("manifestDigest")] public string ManifestDigest { get; set; } = "";

    /// <summary>The config's digest (Docker's image id).</summary>
    [JsonPropertyName("configDigest")] public string ConfigDigest { get; set; } = "";

    /// <summary>The manifest (image-spec manifest.md).</summary>
    [JsonPropertyName("manifest")] public Manifest Manifest { get; set; } = new();

    /// <summary>The image config (image-spec config.md).</summary>
    [JsonPropertyName("config")] public ImageConfigFile Config { get; set; } = new();

    /// <summary>The details of a stored image.</summary>
    public static ImageDetails Of(Content.StoredImage image) => new()
    {
        Name = image.Name,
        Digest = image.Target.Digest,
        MediaType = image.Target.MediaType,
        ManifestDigest = image.ManifestDescriptor.Digest,
        ConfigDigest = image.Manifest.Config.Digest,
        Manifest = image.Manifest,
        Config = image.Config,
    };
}
