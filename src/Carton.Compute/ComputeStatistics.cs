using System.Text.Json.Serialization;
using Carton.Oci;

namespace Carton.Compute;

/// <summary>
/// A running system's usage (<see cref="ComputeSystemProperties.Statistics"/>). The portable part follows HCS's
/// Statistics (Processor and Storage in HCS's units and names; Memory's commit bytes), plus process counts and
/// per-interface network counters; <see cref="Linux"/> is the Linux-only part: the cgroup statistics in the shape
/// `runc events --stats` prints.
/// </summary>
public sealed class ComputeStatistics
{
    /// <summary>When the figures were read (UTC).</summary>
    [JsonPropertyName("Timestamp")] public DateTime Timestamp { get; set; } = DateTime.UtcNow;
    /// <summary>CPU time used.</summary>
    [JsonPropertyName("Processor")] public ProcessorStatistics Processor { get; set; } = new();
    /// <summary>Memory in use.</summary>
    [JsonPropertyName("Memory")] public MemoryStatistics Memory { get; set; } = new();
    /// <summary>Processes in the system.</summary>
    [JsonPropertyName("Processes")] public ProcessCountStatistics Processes { get; set; } = new();
    /// <summary>Block I/O done.</summary>
    [JsonPropertyName("Storage")] public StorageStatistics Storage { get; set; } = new();
    /// <summary>One entry per network interface the system sees (loopback included).</summary>
    [JsonPropertyName("Network")] public List<NetworkStatistics> Network { get; set; } = [];
    /// <summary>Linux only: the cgroup statistics as `runc events --stats` prints them; null on other backends.</summary>
    [JsonPropertyName("Linux")] public CgroupStats? Linux { get; set; }
}

/// <summary>HCS's ProcessorStats: CPU time in units of 100 ns.</summary>
public sealed class ProcessorStatistics
{
    /// <summary>All CPU time used by the system's processes.</summary>
    [JsonPropertyName("TotalRuntime100ns")] public ulong TotalRuntime100ns { get; set; }
    /// <summary>CPU time in user mode.</summary>
    [JsonPropertyName("RuntimeUser100ns")] public ulong RuntimeUser100ns { get; set; }
    /// <summary>CPU time in kernel mode.</summary>
    [JsonPropertyName("RuntimeKernel100ns")] public ulong RuntimeKernel100ns { get; set; }
}

/// <summary>HCS's MemoryStats, with the limit and OOM kills beside them.</summary>
public sealed class MemoryStatistics
{
    /// <summary>Memory charged to the system now, in bytes.</summary>
    [JsonPropertyName("MemoryUsageCommitBytes")] public ulong MemoryUsageCommitBytes { get; set; }
    /// <summary>The most memory charged to it at once, in bytes (0 where the host does not record it).</summary>
    [JsonPropertyName("MemoryUsageCommitPeakBytes")] public ulong MemoryUsageCommitPeakBytes { get; set; }
    /// <summary>Memory charged less file cache (the private working set), in bytes.</summary>
    [JsonPropertyName("MemoryUsagePrivateWorkingSetBytes")] public ulong MemoryUsagePrivateWorkingSetBytes { get; set; }
    /// <summary>The limit in force, in bytes; null when there is none.</summary>
    [JsonPropertyName("LimitBytes")] public ulong? LimitBytes { get; set; }
}

/// <summary>How many processes the system has, and may have.</summary>
public sealed class ProcessCountStatistics
{
    /// <summary>Processes (tasks) in the system now.</summary>
    [JsonPropertyName("Current")] public ulong Current { get; set; }
    /// <summary>The limit in force; null when there is none.</summary>
    [JsonPropertyName("Limit")] public ulong? Limit { get; set; }
}

/// <summary>HCS's StorageStats: block I/O since the system started.</summary>
public sealed class StorageStatistics
{
    /// <summary>Read operations.</summary>
    [JsonPropertyName("ReadCountNormalized")] public ulong ReadCountNormalized { get; set; }
    /// <summary>Bytes read.</summary>
    [JsonPropertyName("ReadSizeBytes")] public ulong ReadSizeBytes { get; set; }
    /// <summary>Write operations.</summary>
    [JsonPropertyName("WriteCountNormalized")] public ulong WriteCountNormalized { get; set; }
    /// <summary>Bytes written.</summary>
    [JsonPropertyName("WriteSizeBytes")] public ulong WriteSizeBytes { get; set; }
}

/// <summary>HCS's NetworkStats for one interface of the system.</summary>
public sealed class NetworkStatistics
{
    /// <summary>The interface's name inside the system (HCS names the endpoint id here).</summary>
    [JsonPropertyName("EndpointId")] public string EndpointId { get; set; } = "";
    /// <summary>Bytes received.</summary>
    [JsonPropertyName("BytesReceived")] public ulong BytesReceived { get; set; }
    /// <summary>Bytes sent.</summary>
    [JsonPropertyName("BytesSent")] public ulong BytesSent { get; set; }
    /// <summary>Packets received.</summary>
    [JsonPropertyName("PacketsReceived")] public ulong PacketsReceived { get; set; }
    /// <summary>Packets sent.</summary>
    [JsonPropertyName("PacketsSent")] public ulong PacketsSent { get; set; }
    /// <summary>Incoming packets dropped.</summary>
    [JsonPropertyName("DroppedPacketsIncoming")] public ulong DroppedPacketsIncoming { get; set; }
    /// <summary>Outgoing packets dropped.</summary>
    [JsonPropertyName("DroppedPacketsOutgoing")] public ulong DroppedPacketsOutgoing { get; set; }
}
