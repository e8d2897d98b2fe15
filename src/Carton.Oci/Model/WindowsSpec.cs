using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>config-windows.md (runtime-spec v1.3.0): the `windows` platform object. Every object keeps unknown fields in
/// its Extra, so a load/save round trip loses nothing (config.md: runtimes must not fail on unknown properties).</summary>
public sealed class WindowsSpec
{
    /// <summary>REQUIRED, at least one entry: the image's layer folders, topmost first, base last, then the scratch
    /// (the container's writable layer) as the last entry.</summary>
    [JsonPropertyName("layerFolders")] public List<string>? LayerFolders { get; set; }
    /// <summary>Devices that must be available in the container.</summary>
    [JsonPropertyName("devices")] public List<WindowsDevice>? Devices { get; set; }
    /// <summary>Memory, CPU and storage limits.</summary>
    [JsonPropertyName("resources")] public WindowsResources? Resources { get; set; }
    /// <summary>The group Managed Service Account (gMSA) credential spec: an object whose properties are
    /// implementation-defined, so it is kept as JSON.</summary>
    [JsonPropertyName("credentialSpec")] public JsonElement? CredentialSpec { get; set; }
    /// <summary>Start the container to apply pending Windows update servicing.</summary>
    [JsonPropertyName("servicing")] public bool? Servicing { get; set; }
    /// <summary>Do not flush the disk while the container boots.</summary>
    [JsonPropertyName("ignoreFlushesDuringBoot")] public bool? IgnoreFlushesDuringBoot { get; set; }
    /// <summary>Present: the container runs with Hyper-V isolation; absent: as a Windows Server (process-isolated) container.</summary>
    [JsonPropertyName("hyperv")] public WindowsHyperV? HyperV { get; set; }
    /// <summary>Network endpoints, DNS settings and namespace.</summary>
    [JsonPropertyName("network")] public WindowsNetwork? Network { get; set; }

    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "Devices" entry.</summary>
public sealed class WindowsDevice
{
    /// <summary>REQUIRED: the device, read as <see cref="IdType"/> says.</summary>
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>REQUIRED: how to read <see cref="Id"/>; the spec knows only "class" (a device interface class GUID).</summary>
    [JsonPropertyName("idType")] public string? IdType { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "Resources".</summary>
public sealed class WindowsResources
{
    /// <summary>Memory limit.</summary>
    [JsonPropertyName("memory")] public WindowsMemoryResources? Memory { get; set; }
    /// <summary>CPU limits (count, shares and maximum are mutually exclusive).</summary>
    [JsonPropertyName("cpu")] public WindowsCpuResources? Cpu { get; set; }
    /// <summary>Limits of the system drive.</summary>
    [JsonPropertyName("storage")] public WindowsStorageResources? Storage { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "Memory".</summary>
public sealed class WindowsMemoryResources
{
    /// <summary>The memory limit in bytes.</summary>
    [JsonPropertyName("limit")] public ulong? Limit { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "CPU": count, shares and maximum are mutually exclusive.</summary>
public sealed class WindowsCpuResources
{
    /// <summary>The number of CPUs available to the container.</summary>
    [JsonPropertyName("count")] public ulong? Count { get; set; }
    /// <summary>The relative share of processor time, 0 to 10,000 (HCS's processor weight).</summary>
    [JsonPropertyName("shares")] public ushort? Shares { get; set; }
    /// <summary>Cycles per 10,000 the container may use in each scheduling interval (a percentage times 100).</summary>
    [JsonPropertyName("maximum")] public ushort? Maximum { get; set; }
    /// <summary>The CPUs to affinitize the container to, one entry per processor group. config-windows.md says an array
    /// of objects (as specs-go has it); the JSON schema of v1.3.0 says a single object: the array is what is modelled.</summary>
    [JsonPropertyName("affinity")] public List<WindowsCpuGroupAffinity>? Affinity { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "affinity" entry (GROUP_AFFINITY).</summary>
public sealed class WindowsCpuGroupAffinity
{
    /// <summary>REQUIRED: the CPU mask within the group.</summary>
    [JsonPropertyName("mask")] public ulong Mask { get; set; }
    /// <summary>REQUIRED: the processor group.</summary>
    [JsonPropertyName("group")] public uint Group { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "Storage".</summary>
public sealed class WindowsStorageResources
{
    /// <summary>Maximum IO operations per second of the system drive.</summary>
    [JsonPropertyName("iops")] public ulong? Iops { get; set; }
    /// <summary>Maximum bytes per second of the system drive.</summary>
    [JsonPropertyName("bps")] public ulong? Bps { get; set; }
    /// <summary>Minimum size of the system drive in bytes.</summary>
    [JsonPropertyName("sandboxSize")] public ulong? SandboxSize { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "Network".</summary>
public sealed class WindowsNetwork
{
    /// <summary>HNS endpoints the container connects to.</summary>
    [JsonPropertyName("endpointList")] public List<string>? EndpointList { get; set; }
    /// <summary>Whether unqualified DNS names are resolved.</summary>
    [JsonPropertyName("allowUnqualifiedDNSQuery")] public bool? AllowUnqualifiedDnsQuery { get; set; }
    /// <summary>DNS suffixes for name resolution.</summary>
    [JsonPropertyName("DNSSearchList")] public List<string>? DnsSearchList { get; set; }
    /// <summary>The container whose network stack this one shares.</summary>
    [JsonPropertyName("networkSharedContainerName")] public string? NetworkSharedContainerName { get; set; }
    /// <summary>The network namespace (an HCN namespace id); when given, no other field may be.</summary>
    [JsonPropertyName("networkNamespace")] public string? NetworkNamespace { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-windows.md "HyperV": its presence asks for Hyper-V isolation.</summary>
public sealed class WindowsHyperV
{
    /// <summary>The utility VM image; absent, the runtime looks for UtilityVM in the layer folders, base upwards.</summary>
    [JsonPropertyName("utilityVMPath")] public string? UtilityVmPath { get; set; }
    /// <summary>Unknown fields, preserved for round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
