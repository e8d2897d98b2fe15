using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>One frame of GET /containers/{id}/stats (swagger ContainerStatsResponse; dockerd's types.StatsJSON).</summary>
public sealed class ContainerStatsResponse
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("read")] public string Read { get; set; } = "0001-01-01T00:00:00Z";
    [JsonPropertyName("preread")] public string Preread { get; set; } = "0001-01-01T00:00:00Z";
    [JsonPropertyName("pids_stats")] public StatsPids PidsStats { get; set; } = new();
    [JsonPropertyName("blkio_stats")] public StatsBlkio BlkioStats { get; set; } = new();
    [JsonPropertyName("num_procs")] public int NumProcs { get; set; }
    [JsonPropertyName("storage_stats")] public Dictionary<string, ulong> StorageStats { get; set; } = [];
    [JsonPropertyName("cpu_stats")] public StatsCpu CpuStats { get; set; } = new();
    [JsonPropertyName("precpu_stats")] public StatsCpu PrecpuStats { get; set; } = new();
    [JsonPropertyName("memory_stats")] public StatsMemory MemoryStats { get; set; } = new();
    [JsonPropertyName("networks")] public Dictionary<string, StatsNetwork>? Networks { get; set; }
}

public sealed class StatsPids
{
    [JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Current { get; set; }
    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}

public sealed class StatsBlkio
{
    [JsonPropertyName("io_service_bytes_recursive")] public List<StatsBlkioEntry>? IoServiceBytesRecursive { get; set; }
    [JsonPropertyName("io_serviced_recursive")] public List<StatsBlkioEntry>? IoServicedRecursive { get; set; }
    [JsonPropertyName("io_queue_recursive")] public List<StatsBlkioEntry>? IoQueueRecursive { get; set; }
    [JsonPropertyName("io_service_time_recursive")] public List<StatsBlkioEntry>? IoServiceTimeRecursive { get; set; }
    [JsonPropertyName("io_wait_time_recursive")] public List<StatsBlkioEntry>? IoWaitTimeRecursive { get; set; }
    [JsonPropertyName("io_merged_recursive")] public List<StatsBlkioEntry>? IoMergedRecursive { get; set; }
    [JsonPropertyName("io_time_recursive")] public List<StatsBlkioEntry>? IoTimeRecursive { get; set; }
    [JsonPropertyName("sectors_recursive")] public List<StatsBlkioEntry>? SectorsRecursive { get; set; }
}

public sealed class StatsBlkioEntry
{
    [JsonPropertyName("major")] public ulong Major { get; set; }
    [JsonPropertyName("minor")] public ulong Minor { get; set; }
    [JsonPropertyName("op")] public string Op { get; set; } = "";
    [JsonPropertyName("value")] public ulong Value { get; set; }
}

public sealed class StatsCpu
{
    [JsonPropertyName("cpu_usage")] public StatsCpuUsage CpuUsage { get; set; } = new();
    [JsonPropertyName("system_cpu_usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong SystemCpuUsage { get; set; }
    [JsonPropertyName("online_cpus"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public uint OnlineCpus { get; set; }
    [JsonPropertyName("throttling_data")] public StatsThrottling ThrottlingData { get; set; } = new();
}

public sealed class StatsCpuUsage
{
    [JsonPropertyName("total_usage")] public ulong TotalUsage { get; set; }
    [JsonPropertyName("percpu_usage")] public List<ulong>? PercpuUsage { get; set; }
    [JsonPropertyName("usage_in_kernelmode")] public ulong UsageInKernelmode { get; set; }
    [JsonPropertyName("usage_in_usermode")] public ulong UsageInUsermode { get; set; }
}

public sealed class StatsThrottling
{
    [JsonPropertyName("periods")] public ulong Periods { get; set; }
    [JsonPropertyName("throttled_periods")] public ulong ThrottledPeriods { get; set; }
    [JsonPropertyName("throttled_time")] public ulong ThrottledTime { get; set; }
}

public sealed class StatsMemory
{
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max_usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong MaxUsage { get; set; }
    [JsonPropertyName("stats")] public Dictionary<string, ulong>? Stats { get; set; }
    [JsonPropertyName("failcnt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Failcnt { get; set; }
    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}

public sealed class StatsNetwork
{
    [JsonPropertyName("rx_bytes")] public ulong RxBytes { get; set; }
    [JsonPropertyName("rx_packets")] public ulong RxPackets { get; set; }
    [JsonPropertyName("rx_errors")] public ulong RxErrors { get; set; }
    [JsonPropertyName("rx_dropped")] public ulong RxDropped { get; set; }
    [JsonPropertyName("tx_bytes")] public ulong TxBytes { get; set; }
    [JsonPropertyName("tx_packets")] public ulong TxPackets { get; set; }
    [JsonPropertyName("tx_errors")] public ulong TxErrors { get; set; }
    [JsonPropertyName("tx_dropped")] public ulong TxDropped { get; set; }
}
