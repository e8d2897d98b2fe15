using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>config-linux.md: the "linux" platform object.</summary>
public sealed class LinuxSpec
{
    /// <summary>config-linux.md "User namespace mappings".</summary>
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    /// <summary>config-linux.md "Offset for Time Namespace": keys are clock names (monotonic, boottime).</summary>
    [JsonPropertyName("timeOffsets")] public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
    /// <summary>config-linux.md "Sysctl".</summary>
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    /// <summary>config-linux.md "Control groups" resources.</summary>
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; set; }
    /// <summary>config-linux.md "Cgroups path".</summary>
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    /// <summary>config-linux.md "Namespaces".</summary>
    [JsonPropertyName("namespaces")] public List<LinuxNamespace>? Namespaces { get; set; }
    /// <summary>config-linux.md "Devices": device nodes created in the container.</summary>
    [JsonPropertyName("devices")] public List<LinuxDevice>? Devices { get; set; }
    /// <summary>config-linux.md "Seccomp".</summary>
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; set; }
    /// <summary>config-linux.md "Rootfs Mount Propagation": shared, slave, private, unbindable.</summary>
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    /// <summary>config-linux.md "Masked Paths".</summary>
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    /// <summary>config-linux.md "Readonly Paths".</summary>
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    /// <summary>config-linux.md "Mount Label" (SELinux context for mounts).</summary>
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    /// <summary>config-linux.md "IntelRdt".</summary>
    [JsonPropertyName("intelRdt")] public LinuxIntelRdt? IntelRdt { get; set; }
    /// <summary>config-linux.md "Personality".</summary>
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "User namespace mappings" entry (also used for idmapped mounts).</summary>
public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint ContainerID { get; set; }
    [JsonPropertyName("hostID")] public uint HostID { get; set; }
    [JsonPropertyName("size")] public uint Size { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "Offset for Time Namespace" value.</summary>
public sealed class LinuxTimeOffset
{
    [JsonPropertyName("secs")] public long Secs { get; set; }
    [JsonPropertyName("nanosecs")] public uint Nanosecs { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "Namespaces" entry.</summary>
public sealed class LinuxNamespace
{
    /// <summary>pid, network, mount, ipc, uts, user, cgroup, time; see <see cref="NamespaceKinds"/>.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>If set, join this namespace file instead of creating a new namespace.</summary>
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "Devices" entry.</summary>
public sealed class LinuxDevice
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    /// <summary>c, b, u or p.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    /// <summary>Decimal (not octal) file mode.</summary>
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "IntelRdt".</summary>
public sealed class LinuxIntelRdt
{
    [JsonPropertyName("closID")] public string? ClosID { get; set; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }
    [JsonPropertyName("schemata")] public List<string>? Schemata { get; set; }
    [JsonPropertyName("enableMonitoring")] public bool? EnableMonitoring { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "Personality": personality(2) execution domain.</summary>
public sealed class LinuxPersonality
{
    /// <summary>LINUX or LINUX32.</summary>
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
