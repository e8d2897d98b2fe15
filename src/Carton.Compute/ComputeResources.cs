using System.Text.Json.Serialization;
using Carton.Oci;

namespace Carton.Compute;

/// <summary>
/// A change to a running system's limits (<see cref="IComputeSystem.UpdateResourcesAsync"/>). The portable part is
/// HCS's own (Processor, Memory, Storage QoS, as in <see cref="HcsContainer"/>); <see cref="Linux"/> is the Linux-only
/// part, an OCI linux.resources object, as HCS keeps per-OS detail in sections of its own. Each group given replaces
/// the current one and the others stay (runc `update` semantics). Where a portable group and the Linux part set the
/// same limit, the Linux part wins.
/// </summary>
public sealed class ComputeResources
{
    /// <summary>CPU count, maximum and weight, as in an HCS document.</summary>
    [JsonPropertyName("Processor")] public HcsProcessor? Processor { get; set; }
    /// <summary>The memory limit in MiB.</summary>
    [JsonPropertyName("Memory")] public HcsMemory? Memory { get; set; }
    /// <summary>Disk throttling of the disk under the system's scratch directory.</summary>
    [JsonPropertyName("StorageQoS")] public HcsStorageQoS? StorageQoS { get; set; }
    /// <summary>Linux only: OCI linux.resources (cgroup limits by group: memory, cpu, pids, blockIO, hugepageLimits,
    /// network, rdma, unified, devices). A backend for another OS refuses it with <see cref="ErrorKind.Unsupported"/>.</summary>
    [JsonPropertyName("Linux")] public LinuxResources? Linux { get; set; }

    /// <summary>A change given only as OCI linux.resources.</summary>
    public static ComputeResources FromLinux(LinuxResources resources) => new() { Linux = resources };
}
