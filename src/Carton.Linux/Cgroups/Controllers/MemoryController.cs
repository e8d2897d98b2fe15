using Carton.Linux.Cgroups.Stats;
using Carton.Oci;
using static Carton.Linux.Cgroups.Stats.CgroupStatFiles;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// memory: linux.resources.memory (config-linux.md "Memory"). OCI <c>swap</c> is the v1 memory+swap limit, so v2
/// memory.swap.max is derived from it (<see cref="MemorySwapToV2"/>); OCI 0 means "unset". Deprecated and v1-only
/// knobs (kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy=false) are warnings where they cannot apply.
/// </summary>
public sealed class MemoryController : CgroupController
{
    public override string Name => "memory";

    public override IReadOnlyList<string> Groups { get; } = ["memory"];

    /// <summary>Swappiness 0..100 (config-linux.md "Memory"); on v2 the memory+swap value must also convert, before anything is written.</summary>
    internal override void Validate(LinuxResources r, bool v2)
    {
        if (r.Memory?.Swappiness is > 100 and var sw)
            throw new CgroupException($"linux.resources.memory.swappiness: {sw} is out of range (0-100)");
        if (v2 && r.Memory is { } m) MemorySwapToV2(m.Swap, m.Limit);
    }

    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r)
    {
        if (r.Memory is not { } m) return;
        var w = ctx.Writer;
        long limit = m.Limit ?? 0, swap = m.Swap ?? 0;
        var needsController = limit != 0 || swap != 0 || m.Reservation is not (null or 0) || m.Swappiness is not null
            || m.DisableOOMKiller == true || m.UseHierarchy is not null;
        var kernelOnly = !needsController && (m.Kernel is not (null or 0) || m.KernelTCP is not (null or 0));
        if (!needsController && !kernelOnly) return;
        var dir = ctx.Find("memory");
        if (dir is null)
        {
            if (!kernelOnly) ctx.Require("memory", "linux.resources.memory");
            if (m.Kernel is not (null or 0)) ctx.Warnings.Add("linux.resources.memory.kernel: ignored: the memory controller is not mounted on this host");
            if (m.KernelTCP is not (null or 0)) ctx.Warnings.Add("linux.resources.memory.kernelTCP: ignored: the memory controller is not mounted on this host");
            return;
        }

        if (m.CheckBeforeUpdate == true) CheckUsageV1(dir, limit, swap);
        SetMemoryAndSwap(w, dir, limit, swap);
        if (m.Reservation is { } reservation and not 0)
            w.Write("linux.resources.memory.reservation", dir, "memory.soft_limit_in_bytes", CgroupResourceWriter.Format(reservation));
        if (m.Kernel is { } kernel and not 0) Kmem(ctx, dir, "linux.resources.memory.kernel", "memory.kmem.limit_in_bytes", kernel);
        if (m.KernelTCP is { } tcp and not 0) Kmem(ctx, dir, "linux.resources.memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", tcp);
        if (m.DisableOOMKiller == true) w.Write("linux.resources.memory.disableOOMKiller", dir, "memory.oom_control", "1");
        if (m.Swappiness is { } swappiness)
            w.Write("linux.resources.memory.swappiness", dir, "memory.swappiness", CgroupResourceWriter.Format(swappiness));
        if (m.UseHierarchy is { } hierarchy)
        {
            var value = hierarchy ? "1" : "0";
            var errno = w.TryWrite(dir, "memory.use_hierarchy", value);
            // Since Linux 5.x hierarchy is always on and writing 0 fails with EINVAL; the request cannot be met
            // but runc dropped the setting altogether, so this is a warning.
            if (errno == Interop.Errno.EINVAL && !hierarchy)
                ctx.Warnings.Add($"linux.resources.memory.useHierarchy: ignored: this kernel always uses hierarchical accounting ({Path.Combine(dir, "memory.use_hierarchy")} refuses 0)");
            else if (errno != 0)
                throw CgroupResourceWriter.Failure("linux.resources.memory.useHierarchy", dir, "memory.use_hierarchy", value, errno);
        }
    }

    /// <summary>
    /// config-linux.md "Memory" checkBeforeUpdate: refuse a limit at or below current usage (runc's
    /// CheckMemoryUsage uses &lt;=). The v1 kernel would also refuse (EBUSY) but only after reclaiming hard.
    /// </summary>
    private static void CheckUsageV1(string dir, long limit, long swap)
    {
        if (limit <= 0 && swap <= 0) return;
        var usage = CgroupResourceWriter.ReadNumber("linux.resources.memory.checkBeforeUpdate", dir, "memory.usage_in_bytes");
        RefuseBelowUsage(limit, swap, usage);
    }

    private static void RefuseBelowUsage(long limit, long swap, ulong usage)
    {
        if (swap > 0 && (ulong)swap <= usage)
            throw new CgroupException($"linux.resources.memory.swap: rejecting memory+swap limit {swap}: current usage is {usage} bytes (checkBeforeUpdate)");
        if (limit > 0 && (ulong)limit <= usage)
            throw new CgroupException($"linux.resources.memory.limit: rejecting memory limit {limit}: current usage is {usage} bytes (checkBeforeUpdate)");
    }

    /// <summary>
    /// runc's setMemoryAndSwap. The kernel insists memsw.limit &gt;= limit at every moment, so when both change
    /// the order depends on the direction: if the new memory+swap is above the current memory limit (or
    /// unlimited) it goes first, then the memory limit; otherwise (shrinking) the memory limit goes first.
    /// A memory limit of -1 with swap unset also lifts the swap limit, when swap accounting exists.
    /// </summary>
    private static void SetMemoryAndSwap(CgroupResourceWriter w, string dir, long limit, long swap)
    {
        const string memsw = "memory.memsw.limit_in_bytes";
        if (limit == -1 && swap == 0 && CgroupResourceWriter.Exists(dir, memsw)) swap = -1;
        if (limit != 0 && swap != 0)
        {
            var current = CgroupResourceWriter.ReadNumber("linux.resources.memory.limit", dir, "memory.limit_in_bytes");
            if (swap == -1 || current < (ulong)swap)
            {
                SetSwap(w, dir, swap);
                SetLimit(w, dir, limit);
                return;
            }
        }
        SetLimit(w, dir, limit);
        SetSwap(w, dir, swap);
    }

    private static void SetLimit(CgroupResourceWriter w, string dir, long limit)
    {
        if (limit != 0) w.Write("linux.resources.memory.limit", dir, "memory.limit_in_bytes", CgroupResourceWriter.Format(limit));
    }

    private static void SetSwap(CgroupResourceWriter w, string dir, long swap)
    {
        if (swap == 0) return;
        const string memsw = "memory.memsw.limit_in_bytes";
        if (!CgroupResourceWriter.Exists(dir, memsw))
        {
            // Without swap accounting swap is already unlimited, so -1 holds; a real limit cannot be enforced.
            if (swap == -1) return;
            throw new CgroupException($"linux.resources.memory.swap: {Path.Combine(dir, memsw)} does not exist (swap accounting is disabled in this kernel; boot with swapaccount=1)");
        }
        w.Write("linux.resources.memory.swap", dir, memsw, CgroupResourceWriter.Format(swap));
    }

    /// <summary>
    /// Kernel memory limits are deprecated (config-linux.md "Memory": NOT RECOMMENDED; runc ignores them). Linux 6.1
    /// removed kmem.limit_in_bytes from mainline and some kernels keep a file that accepts but ignores values, so a
    /// missing file, an unsupported write or a value that does not stick is a warning, never an error.
    /// </summary>
    private static void Kmem(CgroupV1Context ctx, string dir, string field, string file, long value)
    {
        if (!CgroupResourceWriter.Exists(dir, file))
        {
            ctx.Warnings.Add($"{field}: ignored: {Path.Combine(dir, file)} does not exist (kernel memory limits were removed in Linux 6.1)");
            return;
        }
        var text = CgroupResourceWriter.Format(value);
        var errno = ctx.Writer.TryWrite(dir, file, text);
        if (errno is Interop.Errno.EOPNOTSUPP or 524 /* kernel-internal ENOTSUPP */ or Interop.Errno.EINVAL)
        {
            ctx.Warnings.Add($"{field}: ignored: write {text} to {Path.Combine(dir, file)}: {Interop.Errno.Describe(errno)}");
            return;
        }
        if (errno != 0) throw CgroupResourceWriter.Failure(field, dir, file, text, errno);
        if (value > 0 && CgroupResourceWriter.TryReadNumber(dir, file) is { } readBack && readBack > (ulong)value)
            ctx.Warnings.Add($"{field}: ignored by the kernel: {Path.Combine(dir, file)} reads {readBack} after writing {text}");
    }

    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r)
    {
        if (r.Memory is not { } m) return;
        var (dir, w) = (ctx.Dir, ctx.Writer);
        var swapMax = MemorySwapToV2(m.Swap, m.Limit);
        var max = MemoryV2(m.Limit);
        var low = MemoryV2(m.Reservation);
        if (max is not null || low is not null || swapMax is not null)
        {
            ctx.Require("memory", "linux.resources.memory");
            if (m.CheckBeforeUpdate == true) CheckUsageV2(dir, m.Limit ?? 0, m.Swap ?? 0);
            // Swap first, as runc: memory.swap.max does not depend on memory.max in v2.
            if (swapMax is not null)
            {
                var errno = w.TryWrite(dir, "memory.swap.max", swapMax);
                // Without swap accounting the file is missing; "max" and "0" then already hold (runc ignores them).
                if (errno != 0 && !(errno == Interop.Errno.ENOENT && swapMax is "max" or "0"))
                    throw CgroupResourceWriter.Failure("linux.resources.memory.swap", dir, "memory.swap.max", swapMax, errno);
            }
            if (max is not null) w.Write("linux.resources.memory.limit", dir, "memory.max", max);
            if (low is not null) w.Write("linux.resources.memory.reservation", dir, "memory.low", low);
        }
        if (m.Swappiness is not null)
            ctx.Warnings.Add("linux.resources.memory.swappiness: ignored: cgroup v2 has no per-cgroup swappiness");
        if (m.Kernel is not (null or 0))
            ctx.Warnings.Add("linux.resources.memory.kernel: ignored: cgroup v2 has no separate kernel memory limit (kernel memory counts toward memory.max)");
        if (m.KernelTCP is not (null or 0))
            ctx.Warnings.Add("linux.resources.memory.kernelTCP: ignored: cgroup v2 has no separate kernel TCP memory limit (it counts toward memory.max)");
        if (m.DisableOOMKiller == true)
            ctx.Warnings.Add("linux.resources.memory.disableOOMKiller: ignored: cgroup v2 cannot disable the OOM killer");
        if (m.UseHierarchy == false)
            ctx.Warnings.Add("linux.resources.memory.useHierarchy: ignored: cgroup v2 accounting is always hierarchical");
    }

    /// <summary>
    /// config-linux.md "Memory" checkBeforeUpdate: v2 does not refuse a limit below usage (it reclaims, then OOM-kills),
    /// so compare with memory.current first, as runc's CheckMemoryUsage (limit &lt;= usage is refused). Best effort:
    /// an unreadable memory.current (cgroup not populated yet) skips the check.
    /// </summary>
    private static void CheckUsageV2(string dir, long limit, long swap)
    {
        if (limit <= 0 && swap <= 0) return;
        if (CgroupResourceWriter.TryReadNumber(dir, "memory.current") is not { } usage) return;
        RefuseBelowUsage(limit, swap, usage);
    }

    internal override void ReadStats(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupStats stats)
    {
        if (CgroupStatsReader.Locate(host, paths, "memory") is not { } memory) return;
        if (memory.V2) ReadMemoryV2(memory.Dir, stats.Memory);
        else ReadMemoryV1(memory.Dir, stats.Memory);
    }

    /// <summary>
    /// How many processes the kernel OOM killer has killed in the cgroup: "oom_kill" in memory.oom_control (v1) or
    /// memory.events (v2). 0 when there is no memory controller or the kernel does not report the count.
    /// </summary>
    internal static int OomKillCount(CgroupHost host, IReadOnlyDictionary<string, string> paths)
    {
        if (CgroupStatsReader.Locate(host, paths, "memory") is not { } memory) return 0;
        var count = ReadValueByKey(memory.Dir, memory.V2 ? "memory.events" : "memory.oom_control", "oom_kill") ?? 0;
        return (int)Math.Min(count, int.MaxValue);
    }

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

    /// <summary>
    /// The value for v2 memory.swap.max, or null when nothing is to be written. OCI <c>memory.swap</c> is the v1
    /// memory+swap limit (memory.memsw.limit_in_bytes) while v2 memory.swap.max limits swap alone, so runc's
    /// ConvertMemorySwapToCgroupV2Value applies:
    /// swap -1 (or limit -1 with swap unset) → "max"; swap unset/0 → nothing; limit -1 → swap as is;
    /// both set → swap - limit ("0" when equal, i.e. no swap); swap without a limit, a negative limit other than -1,
    /// or swap below the limit → error, since no swap-only value corresponds to them.
    /// </summary>
    public static string? MemorySwapToV2(long? swap, long? limit)
    {
        long s = swap ?? 0, m = limit ?? 0;
        if (m == -1 && s == 0) return "max";
        if (s == 0) return null;
        if (s < 0) return "max";
        if (m == -1) return CgroupResourceWriter.Format(s);
        if (m == 0)
            throw new CgroupException("linux.resources.memory.swap: cannot convert memory+swap to cgroup v2 memory.swap.max without linux.resources.memory.limit");
        if (m < 0) throw new CgroupException($"linux.resources.memory.limit: invalid value {CgroupResourceWriter.Format(m)}");
        if (s < m)
            throw new CgroupException($"linux.resources.memory.swap: memory+swap limit {CgroupResourceWriter.Format(s)} is below linux.resources.memory.limit {CgroupResourceWriter.Format(m)}");
        return CgroupResourceWriter.Format(s - m);
    }

    /// <summary>
    /// A v2 memory.max / memory.low / memory.swap.max value (runc's numToStr): 0 → null (unset, nothing written),
    /// negative (OCI uses -1) → "max", otherwise the number.
    /// </summary>
    public static string? MemoryV2(long? value) => value switch
    {
        null or 0 => null,
        < 0 => "max",
        _ => CgroupResourceWriter.Format(value.Value),
    };
}
