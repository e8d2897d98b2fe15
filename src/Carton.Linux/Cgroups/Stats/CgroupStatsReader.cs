using Carton.Oci;
using static Carton.Linux.Cgroups.Stats.CgroupStatFiles;

namespace Carton.Linux.Cgroups.Stats;

/// <summary>
/// Reads a container's resource usage from its cgroup files into runc's `runc events --stats` shape, the way runc's
/// fs (v1) and fs2 (v2) managers do. Each controller is read from its v1 hierarchy when it has one, otherwise from
/// the unified directory in cgroup2 format (so on hybrid hosts hugetlb, which lives only in cgroup2, is still read).
/// Files that do not exist (controller not mounted or not enabled, older kernel) are skipped; a file that exists but
/// cannot be parsed raises a <see cref="CgroupException"/> naming it.
/// </summary>
public static class CgroupStatsReader
{
    /// <summary>cpuacct.stat counts in USER_HZ ticks, which Linux fixes at 100 per second (runc hard-codes the same).</summary>
    private const ulong NanosecondsPerTick = 1_000_000_000UL / 100;

    /// <summary>Statistics for the cgroup given by <paramref name="paths"/> (<see cref="ICgroupManager.Paths"/>).</summary>
    public static CgroupStats Read(CgroupHost host, IReadOnlyDictionary<string, string> paths)
    {
        var stats = new CgroupStats();

        var cpuacct = Locate(host, paths, "cpuacct");
        var cpu = Locate(host, paths, "cpu");
        if (cpuacct is { V2: false }) ReadCpuacctV1(cpuacct.Value.Dir, stats.Cpu.Usage);
        if (cpu is { V2: false }) ReadThrottlingV1(cpu.Value.Dir, stats.Cpu.Throttling);
        if (cpuacct is { V2: true } || cpu is { V2: true }) ReadCpuV2((cpuacct is { V2: true } ? cpuacct : cpu)!.Value.Dir, stats.Cpu);

        if (Locate(host, paths, "cpuset") is { V2: false } cpuset) ReadCpusetV1(cpuset.Dir, stats.Cpuset);

        if (Locate(host, paths, "memory") is { } memory)
        {
            if (memory.V2) ReadMemoryV2(memory.Dir, stats.Memory);
            else ReadMemoryV1(memory.Dir, stats.Memory);
        }

        if (Locate(host, paths, "pids") is { } pids) ReadPids(pids.Dir, pids.V2, stats.Pids);

        if (Locate(host, paths, "blkio") is { } blkio)
        {
            if (blkio.V2) ReadIoV2(blkio.Dir, stats.Blkio);
            else ReadBlkioV1(blkio.Dir, stats.Blkio);
        }

        if (Locate(host, paths, "hugetlb") is { } hugetlb) ReadHugetlb(hugetlb.Dir, hugetlb.V2, stats.Hugetlb);
        return stats;
    }

    /// <summary>
    /// How many processes the kernel OOM killer has killed in the cgroup: "oom_kill" in memory.oom_control (v1) or
    /// memory.events (v2). 0 when there is no memory controller or the kernel does not report the count.
    /// </summary>
    public static int OomKillCount(CgroupHost host, IReadOnlyDictionary<string, string> paths)
    {
        if (Locate(host, paths, "memory") is not { } memory) return 0;
        var count = ReadValueByKey(memory.Dir, memory.V2 ? "memory.events" : "memory.oom_control", "oom_kill") ?? 0;
        return (int)Math.Min(count, int.MaxValue);
    }

    /// <summary>The directory holding <paramref name="controller"/>'s files and whether they are in cgroup2 format; null when absent.</summary>
    internal static (string Dir, bool V2)? Locate(CgroupHost host, IReadOnlyDictionary<string, string> paths, string controller)
    {
        paths.TryGetValue("", out var unified);
        if (host.Mode == CgroupMode.V2)
            return (unified ?? throw new CgroupException("cgroup paths have no entry for the unified hierarchy, but the host is cgroup v2"), true);
        foreach (var (key, dir) in paths)
            if (key.Length > 0 && key.Split(',').Contains(controller, StringComparer.Ordinal)) return (dir, false);
        return unified is null ? null : (unified, true);
    }

    // ---- cpu ----

    private static void ReadCpuacctV1(string dir, CpuUsage usage)
    {
        if (ReadUint(dir, "cpuacct.usage") is { } total) usage.Total = total;
        usage.Percpu = NullIfEmpty(ReadUintList(dir, "cpuacct.usage_percpu"));
        if (ReadKeyValues(dir, "cpuacct.stat") is { } ticks)
            foreach (var (key, value) in ticks)
            {
                if (key == "user") usage.User = value * NanosecondsPerTick;
                else if (key == "system") usage.Kernel = value * NanosecondsPerTick;
            }

        // Per-CPU user/system split: cpuacct.usage_all ("cpu user system" header, then one row per CPU), which runc
        // reads; older kernels only have cpuacct.usage_percpu_user/_sys.
        if (ReadText(dir, "cpuacct.usage_all") is { } all)
        {
            List<ulong> user = [], kernel = [];
            foreach (var line in Lines(all).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length != 3) continue; // runc skips rows it does not understand
                user.Add(ParseUint(fields[1], dir, "cpuacct.usage_all"));
                kernel.Add(ParseUint(fields[2], dir, "cpuacct.usage_all"));
            }
            usage.PercpuUser = NullIfEmpty(user);
            usage.PercpuKernel = NullIfEmpty(kernel);
        }
        else
        {
            usage.PercpuUser = NullIfEmpty(ReadUintList(dir, "cpuacct.usage_percpu_user"));
            usage.PercpuKernel = NullIfEmpty(ReadUintList(dir, "cpuacct.usage_percpu_sys"));
        }
    }

    private static void ReadThrottlingV1(string dir, Throttling throttling)
    {
        foreach (var (key, value) in ReadKeyValues(dir, "cpu.stat") ?? [])
        {
            switch (key)
            {
                case "nr_periods": throttling.Periods = value; break;
                case "nr_throttled": throttling.ThrottledPeriods = value; break;
                case "throttled_time": throttling.ThrottledTime = value; break;
            }
        }
    }

    /// <summary>cgroup2 cpu.stat (present even when the cpu controller is not enabled); microseconds → nanoseconds.</summary>
    private static void ReadCpuV2(string dir, CpuStats cpu)
    {
        foreach (var (key, value) in ReadKeyValues(dir, "cpu.stat") ?? [])
        {
            switch (key)
            {
                case "usage_usec": cpu.Usage.Total = value * 1000; break;
                case "user_usec": cpu.Usage.User = value * 1000; break;
                case "system_usec": cpu.Usage.Kernel = value * 1000; break;
                case "nr_periods": cpu.Throttling.Periods = value; break;
                case "nr_throttled": cpu.Throttling.ThrottledPeriods = value; break;
                case "throttled_usec": cpu.Throttling.ThrottledTime = value * 1000; break;
            }
        }
    }

    private static void ReadCpusetV1(string dir, CpusetStats cpuset)
    {
        // Hosts that mount cpuset with "noprefix" drop the "cpuset." prefix.
        var prefix = File.Exists(Path.Combine(dir, "cpuset.cpus")) || !File.Exists(Path.Combine(dir, "cpus")) ? "cpuset." : "";
        cpuset.Cpus = NullIfEmpty(ReadCpuList(dir, prefix + "cpus"));
        cpuset.Mems = NullIfEmpty(ReadCpuList(dir, prefix + "mems"));
        cpuset.CpuExclusive = ReadUint(dir, prefix + "cpu_exclusive") ?? 0;
        cpuset.MemHardwall = ReadUint(dir, prefix + "mem_hardwall") ?? 0;
        cpuset.MemExclusive = ReadUint(dir, prefix + "mem_exclusive") ?? 0;
        cpuset.MemoryMigrate = ReadUint(dir, prefix + "memory_migrate") ?? 0;
        cpuset.MemorySpreadPage = ReadUint(dir, prefix + "memory_spread_page") ?? 0;
        cpuset.MemorySpreadSlab = ReadUint(dir, prefix + "memory_spread_slab") ?? 0;
        cpuset.MemoryPressure = ReadUint(dir, prefix + "memory_pressure") ?? 0;
        cpuset.SchedLoadBalance = ReadUint(dir, prefix + "sched_load_balance") ?? 0;
        cpuset.SchedRelaxDomainLevel = ReadInt(dir, prefix + "sched_relax_domain_level") ?? 0;
    }

    // ---- memory ----

    private static Dictionary<string, ulong>? ReadMemoryStat(string dir)
    {
        var lines = ReadKeyValues(dir, "memory.stat");
        if (lines is null || lines.Count == 0) return null;
        // Keys in ordinal order, the order in which Go's encoding/json writes runc's map.
        var raw = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (key, value) in lines.OrderBy(l => l.Key, StringComparer.Ordinal)) raw[key] = value;
        return raw;
    }

    private static void ReadMemoryV1(string dir, MemoryStats memory)
    {
        memory.Raw = ReadMemoryStat(dir);
        memory.Cache = memory.Raw?.GetValueOrDefault("cache") ?? 0;
        memory.Usage = ReadMemoryEntryV1(dir, "memory");
        memory.Swap = ReadMemoryEntryV1(dir, "memory.memsw");
        memory.Kernel = ReadMemoryEntryV1(dir, "memory.kmem");
        memory.KernelTcp = ReadMemoryEntryV1(dir, "memory.kmem.tcp");
    }

    /// <summary>&lt;prefix&gt;.usage_in_bytes / max_usage_in_bytes / limit_in_bytes / failcnt; all zero when usage_in_bytes is missing (no swap or kmem accounting).</summary>
    private static MemoryEntry ReadMemoryEntryV1(string dir, string prefix)
    {
        var entry = new MemoryEntry();
        if (ReadUint(dir, prefix + ".usage_in_bytes") is not { } usage) return entry;
        entry.Usage = usage;
        entry.Max = ReadUint(dir, prefix + ".max_usage_in_bytes") ?? 0;
        entry.Limit = ReadUint(dir, prefix + ".limit_in_bytes") ?? 0;
        entry.Failcnt = ReadUint(dir, prefix + ".failcnt") ?? 0;
        return entry;
    }

    private static void ReadMemoryV2(string dir, MemoryStats memory)
    {
        memory.Raw = ReadMemoryStat(dir);
        memory.Cache = memory.Raw?.GetValueOrDefault("file") ?? 0;
        memory.Usage = ReadMemoryEntryV2(dir, "memory");
        var swap = ReadMemoryEntryV2(dir, "memory.swap");
        // v1 reports swap as memory+swap; runc adds memory to the v2 swap-only values for compatibility and zeroes
        // the peak, which cannot be combined.
        swap.Usage += memory.Usage.Usage;
        if (swap.Limit != ulong.MaxValue) swap.Limit = SaturatingAdd(swap.Limit, memory.Usage.Limit);
        swap.Max = 0;
        memory.Swap = swap;
    }

    /// <summary>
    /// &lt;prefix&gt;.current / .max / .peak (kernel 5.19+, swap 6.5+). v2 has no failcnt file; "max" in
    /// &lt;prefix&gt;.events (times usage hit the limit) is its counterpart.
    /// </summary>
    private static MemoryEntry ReadMemoryEntryV2(string dir, string prefix)
    {
        var entry = new MemoryEntry();
        if (ReadUint(dir, prefix + ".current") is not { } usage) return entry;
        entry.Usage = usage;
        entry.Limit = ReadUint(dir, prefix + ".max") ?? 0;
        entry.Max = ReadUint(dir, prefix + ".peak") ?? 0;
        entry.Failcnt = ReadValueByKey(dir, prefix + ".events", "max") ?? 0;
        return entry;
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    // ---- pids ----

    private static void ReadPids(string dir, bool v2, PidsStats pids)
    {
        if (ReadUint(dir, "pids.current") is { } current) pids.Current = current;
        else if (v2 && ReadText(dir, "cgroup.procs") is { } procs) pids.Current = (ulong)Lines(procs).Count(); // pids controller not enabled: runc counts cgroup.procs
        else return;
        // "max" (no limit) is reported as 0, as runc has always done.
        var limit = ReadUint(dir, "pids.max") ?? 0;
        pids.Limit = limit == ulong.MaxValue ? 0 : limit;
    }

    // ---- block I/O ----

    private enum BlkioTable { ServiceBytes, Serviced, Queued, ServiceTime, WaitTime, Merged, Time, Sectors }

    /// <summary>
    /// runc's order of v1 blkio sources: BFQ debug stats, BFQ, CFQ, throttle recursive, throttle. A group is used
    /// when its first file exists and has entries; otherwise the next group is tried.
    /// </summary>
    private static readonly (string File, BlkioTable Table)[][] BlkioGroups =
    [
        [
            ("blkio.bfq.sectors_recursive", BlkioTable.Sectors), ("blkio.bfq.io_service_time_recursive", BlkioTable.ServiceTime),
            ("blkio.bfq.io_wait_time_recursive", BlkioTable.WaitTime), ("blkio.bfq.io_merged_recursive", BlkioTable.Merged),
            ("blkio.bfq.io_queued_recursive", BlkioTable.Queued), ("blkio.bfq.time_recursive", BlkioTable.Time),
            ("blkio.bfq.io_serviced_recursive", BlkioTable.Serviced), ("blkio.bfq.io_service_bytes_recursive", BlkioTable.ServiceBytes),
        ],
        [("blkio.bfq.io_serviced_recursive", BlkioTable.Serviced), ("blkio.bfq.io_service_bytes_recursive", BlkioTable.ServiceBytes)],
        [
            ("blkio.sectors_recursive", BlkioTable.Sectors), ("blkio.io_service_time_recursive", BlkioTable.ServiceTime),
            ("blkio.io_wait_time_recursive", BlkioTable.WaitTime), ("blkio.io_merged_recursive", BlkioTable.Merged),
            ("blkio.io_queued_recursive", BlkioTable.Queued), ("blkio.time_recursive", BlkioTable.Time),
            ("blkio.io_serviced_recursive", BlkioTable.Serviced), ("blkio.io_service_bytes_recursive", BlkioTable.ServiceBytes),
        ],
        [("blkio.throttle.io_serviced_recursive", BlkioTable.Serviced), ("blkio.throttle.io_service_bytes_recursive", BlkioTable.ServiceBytes)],
        [("blkio.throttle.io_serviced", BlkioTable.Serviced), ("blkio.throttle.io_service_bytes", BlkioTable.ServiceBytes)],
    ];

    private static void ReadBlkioV1(string dir, BlkioStats blkio)
    {
        foreach (var group in BlkioGroups)
        {
            var first = ReadBlkioFile(dir, group[0].File);
            if (first is not { Count: > 0 }) continue;
            SetTable(blkio, group[0].Table, first);
            foreach (var (file, table) in group.Skip(1)) SetTable(blkio, table, NullIfEmpty(ReadBlkioFile(dir, file)));
            return;
        }
    }

    /// <summary>"major:minor op value" or "major:minor value" lines; "Total N" lines are skipped.</summary>
    private static List<BlkioEntry>? ReadBlkioFile(string dir, string name)
    {
        var text = ReadText(dir, name);
        if (text is null) return null;
        var entries = new List<BlkioEntry>();
        foreach (var line in Lines(text))
        {
            var fields = line.Split([' ', ':'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0] == "Total") continue;
            if (fields.Length is not (3 or 4)) throw Malformed(dir, name, $"malformed line \"{line}\"");
            entries.Add(new BlkioEntry
            {
                Major = ParseUint(fields[0], dir, name),
                Minor = ParseUint(fields[1], dir, name),
                Op = fields.Length == 4 ? fields[2] : null,
                Value = ParseUint(fields[^1], dir, name),
            });
        }
        return entries;
    }

    /// <summary>
    /// cgroup2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0 ...") mapped onto v1's tables as runc
    /// does: bytes → ioServiceBytesRecursive, ios → ioServicedRecursive, ops Read/Write/Discard; other keys skipped.
    /// </summary>
    private static void ReadIoV2(string dir, BlkioStats blkio)
    {
        const string name = "io.stat";
        var text = ReadText(dir, name);
        if (text is null) return;
        List<BlkioEntry> bytes = [], ios = [];
        foreach (var line in Lines(text))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var device = fields[0].Split(':');
            if (device.Length != 2) continue;
            var major = ParseUint(device[0], dir, name);
            var minor = ParseUint(device[1], dir, name);
            foreach (var item in fields.Skip(1))
            {
                var kv = item.Split('=');
                if (kv.Length != 2) continue;
                var (op, table) = kv[0] switch
                {
                    "rbytes" => ("Read", bytes),
                    "wbytes" => ("Write", bytes),
                    "dbytes" => ("Discard", bytes),
                    "rios" => ("Read", ios),
                    "wios" => ("Write", ios),
                    "dios" => ("Discard", ios),
                    _ => ((string?)null, (List<BlkioEntry>?)null),
                };
                if (table is null) continue;
                table.Add(new BlkioEntry { Major = major, Minor = minor, Op = op, Value = ParseUint(kv[1], dir, name) });
            }
        }
        blkio.IoServiceBytesRecursive = NullIfEmpty(bytes);
        blkio.IoServicedRecursive = NullIfEmpty(ios);
    }

    private static void SetTable(BlkioStats blkio, BlkioTable table, List<BlkioEntry>? entries)
    {
        switch (table)
        {
            case BlkioTable.ServiceBytes: blkio.IoServiceBytesRecursive = entries; break;
            case BlkioTable.Serviced: blkio.IoServicedRecursive = entries; break;
            case BlkioTable.Queued: blkio.IoQueuedRecursive = entries; break;
            case BlkioTable.ServiceTime: blkio.IoServiceTimeRecursive = entries; break;
            case BlkioTable.WaitTime: blkio.IoWaitTimeRecursive = entries; break;
            case BlkioTable.Merged: blkio.IoMergedRecursive = entries; break;
            case BlkioTable.Time: blkio.IoTimeRecursive = entries; break;
            case BlkioTable.Sectors: blkio.SectorsRecursive = entries; break;
        }
    }

    // ---- hugetlb ----

    /// <summary>
    /// One entry per page size found in the directory. v1: hugetlb.&lt;size&gt;.usage_in_bytes, max_usage_in_bytes,
    /// failcnt. v2 (as runc): usage from hugetlb.&lt;size&gt;.current, failcnt from "max" in hugetlb.&lt;size&gt;.events;
    /// there is no max-usage file (hugetlb.&lt;size&gt;.max is the limit, not a peak).
    /// </summary>
    private static void ReadHugetlb(string dir, bool v2, Dictionary<string, HugetlbStats> hugetlb)
    {
        var suffix = v2 ? ".current" : ".usage_in_bytes";
        foreach (var size in HugePageSizes(dir, suffix))
        {
            var prefix = "hugetlb." + size;
            if (ReadUint(dir, prefix + suffix) is not { } usage) continue; // raced with removal
            hugetlb[size] = v2
                ? new HugetlbStats { Usage = usage, Failcnt = ReadValueByKey(dir, prefix + ".events", "max") ?? 0 }
                : new HugetlbStats
                {
                    Usage = usage,
                    Max = ReadUint(dir, prefix + ".max_usage_in_bytes") ?? 0,
                    Failcnt = ReadUint(dir, prefix + ".failcnt") ?? 0,
                };
        }
    }

    /// <summary>Page sizes ("2MB", "1GB") with a hugetlb.&lt;size&gt;&lt;suffix&gt; file; the ".rsvd." variants are skipped.</summary>
    private static IEnumerable<string> HugePageSizes(string dir, string suffix)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(dir, "hugetlb.*" + suffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return files.Select(Path.GetFileName)
            .Select(f => f!["hugetlb.".Length..^suffix.Length])
            .Where(size => size.Length > 0 && !size.Contains('.'))
            .Order(StringComparer.Ordinal);
    }

}
