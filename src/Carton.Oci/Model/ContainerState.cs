using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>
/// runtime.md "State": the object passed to hooks on stdin and the basis of `state` output.
/// Runtimes MAY add properties; unknown ones are kept in <see cref="Extra"/>.
/// </summary>
public sealed class ContainerState
{
    [JsonPropertyName("ociVersion")] public string? OciVersion { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>creating, created, running or stopped (see <see cref="ContainerStatus"/>).</summary>
    [JsonPropertyName("status")] public string? Status { get; set; }
    /// <summary>REQUIRED on Linux when status is created or running; always written (as runc does).</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>Absolute path of the bundle directory.</summary>
    [JsonPropertyName("bundle")] public string? Bundle { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The status strings defined in runtime.md "State".</summary>
public static class ContainerStatus
{
    public const string Creating = "creating";
    public const string Created = "created";
    public const string Running = "running";
    public const string Stopped = "stopped";
    /// <summary>runc-specific extra state (container frozen via cgroup freezer), allowed by runtime.md.</summary>
    public const string Paused = "paused";
}
