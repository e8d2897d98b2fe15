using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>
/// The bundle's config.json (runtime-spec config.md). The Linux and Windows platform objects are modelled;
/// other platform objects (solaris, vm, zos, freebsd) and any unknown field are kept in
/// <see cref="Extra"/> so that a load/save round trip never drops data (config.md: runtimes must
/// not fail on unknown properties).
/// </summary>
public sealed class Spec
{
    /// <summary>config.md "Specification version": REQUIRED, SemVer.</summary>
    [JsonPropertyName("ociVersion")] public string? OciVersion { get; set; }
    /// <summary>config.md "Process": optional at create time; required by start.</summary>
    [JsonPropertyName("process")] public Process? Process { get; set; }
    /// <summary>config.md "Root".</summary>
    [JsonPropertyName("root")] public Root? Root { get; set; }
    /// <summary>config.md "Hostname": requires a new UTS namespace.</summary>
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    /// <summary>config.md "Domainname": requires a new UTS namespace.</summary>
    [JsonPropertyName("domainname")] public string? Domainname { get; set; }
    /// <summary>config.md "Mounts": applied in order.</summary>
    [JsonPropertyName("mounts")] public List<Mount>? Mounts { get; set; }
    /// <summary>config.md "POSIX-platform Hooks".</summary>
    [JsonPropertyName("hooks")] public Hooks? Hooks { get; set; }
    /// <summary>config.md "Annotations".</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>config.md "Platform-specific configuration" -> config-linux.md.</summary>
    [JsonPropertyName("linux")] public LinuxSpec? Linux { get; set; }
    /// <summary>config.md "Platform-specific configuration" -> config-windows.md.</summary>
    [JsonPropertyName("windows")] public WindowsSpec? Windows { get; set; }

    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
