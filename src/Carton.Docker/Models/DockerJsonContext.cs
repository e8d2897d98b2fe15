using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>
/// Source-generated JSON for every Docker API body. Names are Docker's exactly as declared (no naming policy);
/// null members are left out, as dockerd leaves out its omitempty ones; reading matches names case-insensitively and
/// ignores unknown ones, as Go's encoding/json does.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(SystemVersion))]
[JsonSerializable(typeof(SystemInfo))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<ImageDeleteResponseItem>))]
[JsonSerializable(typeof(JsonMessage))]
[JsonSerializable(typeof(AuthConfig))]
public sealed partial class DockerJsonContext : JsonSerializerContext;
