using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>features.md "Features Structure": what `carton features` prints.</summary>
public sealed class Features
{
    [JsonPropertyName("ociVersionMin")] public string? OciVersionMin { get; set; }
    [JsonPropertyName("ociVersionMax")] public string? OciVersionMax { get; set; }
    /// <summary>features.md "Hooks": recognized hook names.</summary>
    [JsonPropertyName("hooks")] public List<string>? Hooks { get; set; }
    /// <summary>features.md "Mount Options": recognized mount option names.</summary>
    [JsonPropertyName("mountOptions")] public List<string>? MountOptions { get; set; }
    /// <summary>features-linux.md.</summary>
    [JsonPropertyName("linux")] public LinuxFeatures? Linux { get; set; }
    /// <summary>features.md "Annotations": implementation-specific info (e.g. version).</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>features.md "Unsafe annotations in config.json".</summary>
    [JsonPropertyName("potentiallyUnsafeConfigAnnotations")] public List<string>? PotentiallyUnsafeConfigAnnotations { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>features-linux.md "Linux Features Structure".</summary>
public sealed class LinuxFeatures
{
    [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }
    [JsonPropertyName("capabilities")] public List<string>? Capabilities { get; set; }
    [JsonPropertyName("cgroup")] public CgroupFeatures? Cgroup { get; set; }
    [JsonPropertyName("seccomp")] public SeccompFeatures? Seccomp { get; set; }
    [JsonPropertyName("apparmor")] public EnabledFeature? Apparmor { get; set; }
    [JsonPropertyName("selinux")] public EnabledFeature? Selinux { get; set; }
    [JsonPropertyName("intelRdt")] public IntelRdtFeatures? IntelRdt { get; set; }
    [JsonPropertyName("memoryPolicy")] public MemoryPolicyFeatures? MemoryPolicy { get; set; }
    [JsonPropertyName("mountExtensions")] public MountExtensionsFeatures? MountExtensions { get; set; }
    [JsonPropertyName("netDevices")] public EnabledFeature? NetDevices { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>features-linux.md "Cgroup".</summary>
public sealed class CgroupFeatures
{
    [JsonPropertyName("v1")] public bool? V1 { get; set; }
    [JsonPropertyName("v2")] public bool? V2 { get; set; }
    [JsonPropertyName("systemd")] public bool? Systemd { get; set; }
    [JsonPropertyName("systemdUser")] public bool? SystemdUser { get; set; }
    [JsonPropertyName("rdma")] public bool? Rdma { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>features-linux.md "Seccomp".</summary>
public sealed class SeccompFeatures
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    [JsonPropertyName("actions")] public List<string>? Actions { get; set; }
    [JsonPropertyName("operators")] public List<string>? Operators { get; set; }
    [JsonPropertyName("archs")] public List<string>? Archs { get; set; }
    [JsonPropertyName("knownFlags")] public List<string>? KnownFlags { get; set; }
    [JsonPropertyName("supportedFlags")] public List<string>? SupportedFlags { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>features-linux.md objects that only carry "enabled" (apparmor, selinux, netDevices, idmap).</summary>
public sealed class EnabledFeature
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>features-linux.md "Intel RDT".</summary>
public sealed class IntelRdtFeatures
{
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    [JsonPropertyName("schemata")] public bool? Schemata { get; set; }
    [JsonPropertyName("monitoring")] public bool? Monitoring { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>features-linux.md "Memory Policy".</summary>
public sealed class MemoryPolicyFeatures
{
    [JsonPropertyName("modes")] public List<string>? Modes { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>features-linux.md "MountExtensions".</summary>
public sealed class MountExtensionsFeatures
{
    [JsonPropertyName("idmap")] public EnabledFeature? Idmap { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
