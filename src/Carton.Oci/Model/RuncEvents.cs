using System.Text.Json.Serialization;

namespace Carton.Oci;

// The JSON shapes `runc events` prints (runc's types/events.go, as of runc 1.1). Property order and JSON names are
// runc's. Go's "omitempty" is reproduced as follows: numbers use WhenWritingDefault; lists, maps and strings are
// nullable and left null when empty (CgroupStatsReader never stores an empty one); struct-typed fields, which Go
// never omits, are non-null objects that are always written.

/// <summary>One line of `runc events`: {"type":"stats","id":...,"data":{...}} or {"type":"oom","id":...}.</summary>
public sealed class CgroupEvent
{
    /// <summary>"stats" or "oom".</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";

    /// <summary>The container id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";

    /// <summary>The statistics for a "stats" event; null (omitted) otherwise.</summary>
    [JsonPropertyName("data")] public CgroupStats? Data { get; set; }

    public const string StatsType = "stats", OomType = "oom";

    public static CgroupEvent Stats(string id, CgroupStats stats) => new() { Type = StatsType, Id = id, Data = stats };

    public static CgroupEvent Oom(string id) => new() { Type = OomType, Id = id };
}

/// <summary>runc's types.Stats.</summary>
public sealed class CgroupStats
{
    [JsonPropertyName("cpu")] public CpuStats Cpu { get; set; } = new();
    [JsonPropertyName("cpuset")] public CpusetStats Cpuset { get; set; } = new();
    [JsonPropertyName("memory")] public MemoryStats Memory { get; set; } = new();
    [JsonPropertyName("pids")] public PidsStats Pids { get; set; } = new();
    [JsonPropertyName("blkio")] public BlkioStats Blkio { get; set; } = new();

    /// <summary>Page size ("2MB", "1GB") → usage. Always written, "{}" when there is no hugetlb controller (as runc).</summary>
    [JsonPropertyName("hugetlb")] public Dictionary<string, HugetlbStats> Hugetlb { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Intel RDT is not supported; written as "{}" like runc without RDT.</summary>
    [JsonPropertyName("intel_rdt")] public IntelRdtStats IntelRdt { get; set; } = new();

    /// <summary>Not collected; runc writes null when the container has no interfaces, and so does this.</summary>
    [JsonPropertyName("network_interfaces"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public List<NetworkInterfaceStats>? NetworkInterfaces { get; set; }
}

/// <summary>runc's types.Cpu.</summary>
public sealed class CpuStats
{
    [JsonPropertyName("usage")] public CpuUsage Usage { get; set; } = new();
    [JsonPropertyName("throttling")] public Throttling Throttling { get; set; } = new();
}

/// <summary>runc's types.CpuUsage; all values in nanoseconds.</summary>
public sealed class CpuUsage
{
    [JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Total { get; set; }
    [JsonPropertyName("percpu")] public List<ulong>? Percpu { get; set; }
    [JsonPropertyName("percpu_kernel")] public List<ulong>? PercpuKernel { get; set; }
    [JsonPropertyName("percpu_user")] public List<ulong>? PercpuUser { get; set; }
    [JsonPropertyName("kernel")] public ulong Kernel { get; set; }
    [JsonPropertyName("user")] public ulong User { get; set; }
}

/// <summary>runc's types.Throttling (ThrottledTime in nanoseconds).</summary>
public sealed class Throttling
{
    [JsonPropertyName("periods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Periods { get; set; }
    [JsonPropertyName("throttledPeriods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledPeriods { get; set; }
    [JsonPropertyName("throttledTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledTime { get; set; }
}

/// <summary>runc's types.CPUSet (v1 cpuset files only, as in runc).</summary>
public sealed class CpusetStats
{
    [JsonPropertyName("cpus")] public List<ushort>? Cpus { get; set; }
    [JsonPropertyName("cpu_exclusive")] public ulong CpuExclusive { get; set; }
    [JsonPropertyName("mems")] public List<ushort>? Mems { get; set; }
    [JsonPropertyName("mem_hardwall")] public ulong MemHardwall { get; set; }
    [JsonPropertyName("mem_exclusive")] public ulong MemExclusive { get; set; }
    [JsonPropertyName("memory_migrate")] public ulong MemoryMigrate { get; set; }
    [JsonPropertyName("memory_spread_page")] public ulong MemorySpreadPage { get; set; }
    [JsonPropertyName("memory_spread_slab")] public ulong MemorySpreadSlab { get; set; }
    [JsonPropertyName("memory_pressure")] public ulong MemoryPressure { get; set; }
    [JsonPropertyName("sched_load_balance")] public ulong SchedLoadBalance { get; set; }
    [JsonPropertyName("sched_relax_domain_level")] public long SchedRelaxDomainLevel { get; set; }
}

/// <summary>runc's types.Memory.</summary>
public sealed class MemoryStats
{
    /// <summary>Page cache: memory.stat "cache" (v1) or "file" (v2).</summary>
    [JsonPropertyName("cache"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Cache { get; set; }
    [JsonPropertyName("usage")] public MemoryEntry Usage { get; set; } = new();

    /// <summary>Memory plus swap, as v1's memory.memsw.*; on v2 runc adds memory to memory.swap.* and so does this.</summary>
    [JsonPropertyName("swap")] public MemoryEntry Swap { get; set; } = new();
    [JsonPropertyName("kernel")] public MemoryEntry Kernel { get; set; } = new();
    [JsonPropertyName("kernelTCP")] public MemoryEntry KernelTcp { get; set; } = new();

    /// <summary>Every memory.stat line, key → value.</summary>
    [JsonPropertyName("raw")] public Dictionary<string, ulong>? Raw { get; set; }
}

/// <summary>runc's types.MemoryEntry. A limit of "max" is ulong.MaxValue.</summary>
public sealed class MemoryEntry
{
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

/// <summary>runc's types.Pids. No limit ("max") is 0, as in runc.</summary>
public sealed class PidsStats
{
    [JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Current { get; set; }
    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}

/// <summary>runc's types.Blkio. On v2 only the first two lists are filled (from io.stat), as in runc.</summary>
public sealed class BlkioStats
{
    [JsonPropertyName("ioServiceBytesRecursive")] public List<BlkioEntry>? IoServiceBytesRecursive { get; set; }
    [JsonPropertyName("ioServicedRecursive")] public List<BlkioEntry>? IoServicedRecursive { get; set; }
    [JsonPropertyName("ioQueueRecursive")] public List<BlkioEntry>? IoQueuedRecursive { get; set; }
    [JsonPropertyName("ioServiceTimeRecursive")] public List<BlkioEntry>? IoServiceTimeRecursive { get; set; }
    [JsonPropertyName("ioWaitTimeRecursive")] public List<BlkioEntry>? IoWaitTimeRecursive { get; set; }
    [JsonPropertyName("ioMergedRecursive")] public List<BlkioEntry>? IoMergedRecursive { get; set; }
    [JsonPropertyName("ioTimeRecursive")] public List<BlkioEntry>? IoTimeRecursive { get; set; }
    [JsonPropertyName("sectorsRecursive")] public List<BlkioEntry>? SectorsRecursive { get; set; }
}

/// <summary>runc's types.BlkioEntry: one "major:minor [op] value" line.</summary>
public sealed class BlkioEntry
{
    [JsonPropertyName("major"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Major { get; set; }
    [JsonPropertyName("minor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Minor { get; set; }

    /// <summary>"Read", "Write", "Sync", "Async", "Discard", "Total"; null for files without an op column.</summary>
    [JsonPropertyName("op")] public string? Op { get; set; }
    [JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Value { get; set; }

    public override string ToString() => $"{Major}:{Minor} {Op} {Value}";
}

/// <summary>runc's types.Hugetlb (Max is the v1 max_usage_in_bytes; v2 has no such file).</summary>
public sealed class HugetlbStats
{
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

/// <summary>runc's types.IntelRdt with every (omitempty) field absent.</summary>
public sealed class IntelRdtStats;

/// <summary>runc's types.NetworkInterface (Go field names, no JSON tags).</summary>
public sealed class NetworkInterfaceStats
{
    public string Name { get; set; } = "";
    public ulong RxBytes { get; set; }
    public ulong RxPackets { get; set; }
    public ulong RxErrors { get; set; }
    public ulong RxDropped { get; set; }
    public ulong TxBytes { get; set; }
    public ulong TxPackets { get; set; }
    public ulong TxErrors { get; set; }
    public ulong TxDropped { get; set; }
}
