using System.Text.Json.Serialization;

namespace Carton.Images.Formats;

/// <summary>
/// One entry of a docker-archive's <c>manifest.json</c> (the format `docker save` writes and `docker load` reads): the
/// config file, the image's tags, and the layer tars bottom first. Docker 25+ points these at an OCI layout's blobs.
/// </summary>
public sealed class DockerArchiveManifest
{
    [JsonPropertyName("Config")] public string Config { get; set; } = "";
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }
    [JsonPropertyName("Layers")] public List<string> Layers { get; set; } = [];
}

/// <summary>An OCI layout's <c>oci-layout</c> marker (image-spec image-layout.md).</summary>
public sealed class OciLayoutFile
{
    [JsonPropertyName("imageLayoutVersion")] public string ImageLayoutVersion { get; set; } = "";
}

/// <summary>Source-generated JSON for the archive formats' own files.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<DockerArchiveManifest>))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
internal sealed partial class FormatsJsonContext : JsonSerializerContext;
