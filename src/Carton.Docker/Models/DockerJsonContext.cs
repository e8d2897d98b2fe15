using System.Text.Encodings.Web;
using System.Text.Json;
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
[JsonSerializable(typeof(ContainerCreateBody))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerInspect))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(ExecConfig))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(ExecStartConfig))]
[JsonSerializable(typeof(ExecInspect))]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(ContainerPathStat))]
[JsonSerializable(typeof(List<NetworkResource>))]
[JsonSerializable(typeof(NetworkResource))]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(NetworkCreateResponse))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(NetworkDisconnectRequest))]
[JsonSerializable(typeof(EventMessage))]
[JsonSerializable(typeof(ContainerUpdateBody))]
[JsonSerializable(typeof(ContainerUpdateResponse))]
[JsonSerializable(typeof(ContainerPruneResponse))]
[JsonSerializable(typeof(NetworkPruneResponse))]
[JsonSerializable(typeof(ImagePruneResponse))]
[JsonSerializable(typeof(List<ContainerChange>))]
[JsonSerializable(typeof(ContainerStatsResponse))]
[JsonSerializable(typeof(ContainerTopResponse))]
[JsonSerializable(typeof(SystemDiskUsage))]
[JsonSerializable(typeof(Volume))]
[JsonSerializable(typeof(VolumeListResponse))]
[JsonSerializable(typeof(VolumeCreateRequest))]
[JsonSerializable(typeof(VolumePruneResponse))]
[JsonSerializable(typeof(VolumeRecord))]
[JsonSerializable(typeof(List<ImageHistoryItem>))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(BuildCachePruneResponse))]
public sealed partial class DockerJsonContext : JsonSerializerContext
{
    /// <summary>What goes on the wire: quotes and non-ASCII in messages stay readable ("invalid filter 'x'", not
    /// "\u0027x\u0027"), as dockerd writes them; still valid JSON.</summary>
    public static DockerJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
