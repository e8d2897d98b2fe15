using System.Globalization;
using Carton.Oci;
using Carton.Linux.Cgroups.Stats;
using static Carton.Linux.Cgroups.Stats.CgroupStatFiles;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// cpu (and v1 cpuacct): linux.resources.cpu shares, quota, period, burst, idle and the realtime settings
/// (config-linux.md "CPU"; cpus and mems belong to <see cref="CpusetController"/>). The OCI values are v1 terms:
/// on v2 shares become cpu.weight and quota/period become cpu.max, with runc's formulas (opencontainers/cgroups
/// utils.go and fs2), so a config behaves the same under Carton and runc.
/// </summary>
public sealed class CpuController : CgroupController
{
    /// <summary>Kernel cpu.shares bounds (MIN_SHARES 2, MAX_SHARES 1&lt;&lt;18) and cpu.weight bounds (1..10000).</summary>
    public const ulong MinShares = 2, MaxShares = 262144, MinCpuWeight = 1, MaxCpuWeight = 10000;

    /// <summary>The v2 period used when only a quota is given (the kernel's default cpu.max period).</summary>
    public const ulong DefaultCpuPeriod = 100000;

    /// <summary>cpuacct.stat counts in USER_HZ ticks, which Linux fixes at 100 per second (runc hard-codes the same).</summary>
    private const ulong NanosecondsPerTick = 1_000_000_000UL / 100;

    public override string Name => "cpu";

    public override IReadOnlyList<string> Groups { get; } = ["cpu"];

    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r)
    {
        if (r.Cpu is not { } c) return;
        var w = ctx.Writer;
        var any = c.Shares is not (null or 0) || c.Period is not (null or 0) || c.Quota is not (null or 0) || c.Burst is not null
            || c.Idle is not null || c.RealtimePeriod is not (null or 0) || c.RealtimeRuntime is not (null or 0);
        if (!any) return;
        var dir = ctx.Require("cpu", "linux.resources.cpu");

        if (c.Shares is { } shares and not 0)
        {
            const string field = "linux.resources.cpu.shares";
            w.Write(field, dir, "cpu.shares", CgroupResourceWriter.Format(shares));
            // The kernel clamps silently to [2, 262144]; read back and report, as runc does.
            var actual = CgroupResourceWriter.ReadNumber(field, dir, "cpu.shares");
            if (shares > actual) throw new CgroupException($"{field}: {shares} is above the maximum allowed cpu-shares {actual}");
            if (shares < actual) throw new CgroupException($"{field}: {shares} is below the minimum allowed cpu-shares {actual}");
        }

        // A smaller period can be refused (EINVAL) while the old quota / new period would exceed the parent's
        // limit; runc then retries it after the quota. Likewise a burst above the old quota.
        string? pendingPeriod = null, pendingBurst = null;
        if (c.Period is { } period and not 0)
        {
            var text = CgroupResourceWriter.Format(period);
            var errno = w.TryWrite(dir, "cpu.cfs_period_us", text);
            if (errno == Interop.Errno.EINVAL && c.Quota is not (null or 0)) pendingPeriod = text;
            else if (errno != 0) throw CgroupResourceWriter.Failure("linux.resources.cpu.period", dir, "cpu.cfs_period_us", text, errno);
        }
        if (c.Burst is { } burst)
        {
            var text = CgroupResourceWriter.Format(burst);
            var errno = w.TryWrite(dir, "cpu.cfs_burst_us", text);
            if (errno == Interop.Errno.ENOENT)
                ctx.Warnings.Add($"linux.resources.cpu.burst: ignored: {Path.Combine(dir, "cpu.cfs_burst_us")} does not exist (CPU burst needs Linux 5.14+)");
            else if (errno == Interop.Errno.EINVAL && c.Quota is not (null or 0)) pendingBurst = text;
            else if (errno != 0) throw CgroupResourceWriter.Failure("linux.resources.cpu.burst", dir, "cpu.cfs_burst_us", text, errno);
        }
        if (CfsQuotaV1(c.Quota) is { } quota)
        {
            w.Write("linux.resources.cpu.quota", dir, "cpu.cfs_quota_us", quota);
            if (pendingPeriod is not null) w.Write("linux.resources.cpu.period", dir, "cpu.cfs_period_us", pendingPeriod);
            if (pendingBurst is not null) w.Write("linux.resources.cpu.burst", dir, "cpu.cfs_burst_us", pendingBurst);
        }
        if (c.Idle is { } idle) w.Write("linux.resources.cpu.idle", dir, "cpu.idle", CgroupResourceWriter.Format(idle));
        // Realtime last, as runc's SetRtSched: period before runtime so the runtime fits the new period.
        if (c.RealtimePeriod is { } rtPeriod and not 0)
            w.Write("linux.resources.cpu.realtimePeriod", dir, "cpu.rt_period_us", CgroupResourceWriter.Format(rtPeriod));
        if (c.RealtimeRuntime is { } rtRuntime and not 0)
            w.Write("linux.resources.cpu.realtimeRuntime", dir, "cpu.rt_runtime_us", CgroupResourceWriter.Format(rtRuntime));
    }

    /// <summary>runc's fs2 setCPU: idle, weight, burst (retried after cpu.max when refused as above the old quota), cpu.max.</summary>
    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r)
    {
        if (r.Cpu is not { } c) return;
        var (dir, w) = (ctx.Dir, ctx.Writer);
        if (c.RealtimePeriod is not (null or 0) || c.RealtimeRuntime is not (null or 0))
            ctx.Warnings.Add("linux.resources.cpu.realtimePeriod/realtimeRuntime: ignored: cgroup v2 has no realtime CPU bandwidth control");
        var weight = CpuSharesToWeight(c.Shares ?? 0);
        var max = CpuMaxV2(c.Quota, c.Period);
        if (c.Idle is null && weight == 0 && max is null && c.Burst is null) return;
        ctx.Require("cpu", "linux.resources.cpu");

        if (c.Idle is { } idle) w.Write("linux.resources.cpu.idle", dir, "cpu.idle", CgroupResourceWriter.Format(idle));
        if (weight != 0) w.Write("linux.resources.cpu.shares", dir, "cpu.weight", CgroupResourceWriter.Format(weight));
        string? pendingBurst = null;
        if (c.Burst is { } burst)
        {
            var text = CgroupResourceWriter.Format(burst);
            var errno = w.TryWrite(dir, "cpu.max.burst", text);
            if (errno == Interop.Errno.EINVAL && max is not null) pendingBurst = text;
            else if (errno != 0) throw CgroupResourceWriter.Failure("linux.resources.cpu.burst", dir, "cpu.max.burst", text, errno);
        }
        if (max is not null)
        {
            w.Write(c.Quota is not (null or 0) ? "linux.resources.cpu.quota" : "linux.resources.cpu.period", dir, "cpu.max", max);
            if (pendingBurst is not null) w.Write("linux.resources.cpu.burst", dir, "cpu.max.burst", pendingBurst);
        }
    }

    /// <summary>v1 cpuacct usage and cpu throttling, or cgroup2 cpu.stat.</summary>
    internal override void ReadStats(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupStats stats)
    {
        var cpuacct = CgroupStatsReader.Locate(host, paths, "cpuacct");
        var cpu = CgroupStatsReader.Locate(host, paths, "cpu");
        if (cpuacct is { V2: false }) ReadCpuacctV1(cpuacct.Value.Dir, stats.Cpu.Usage);
        if (cpu is { V2: false }) ReadThrottlingV1(cpu.Value.Dir, stats.Cpu.Throttling);
        if (cpuacct is { V2: true } || cpu is { V2: true }) ReadCpuV2((cpuacct is { V2: true } ? cpuacct : cpu)!.Value.Dir, stats.Cpu);
    }

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

    /// <summary>
    /// cpu.shares → cpu.weight, runc's linear map of [2, 262144] onto [1, 10000]: 1 + ((shares - 2) * 9999) / 262142
    /// (integer division). 0 means "unset" and stays 0 (nothing is written). Shares outside [2, 262144] are clamped
    /// first, as the v1 kernel does when writing cpu.shares (runc would underflow on 1). Known values: 2 → 1,
    /// 1024 → 39, 262144 → 10000.
    /// </summary>
    public static ulong CpuSharesToWeight(ulong shares)
    {
        if (shares == 0) return 0;
        shares = Math.Clamp(shares, MinShares, MaxShares);
        return 1 + (shares - 2) * 9999 / 262142;
    }

    /// <summary>
    /// cpu.weight → cpu.shares, the inverse of <see cref="CpuSharesToWeight"/>. The forward map sends about 26 share
    /// values to each weight, so this returns the smallest of them (rounding (weight-1)*262142/9999 up); that makes
    /// <c>CpuSharesToWeight(CpuWeightToShares(w)) == w</c> for every weight. 0 stays 0; weights are clamped to 1..10000.
    /// Known values: 1 → 2, 39 → 999 (1024 also maps to 39), 10000 → 262144.
    /// </summary>
    public static ulong CpuWeightToShares(ulong weight)
    {
        if (weight == 0) return 0;
        weight = Math.Clamp(weight, MinCpuWeight, MaxCpuWeight);
        return 2 + ((weight - 1) * 262142 + 9999 - 1) / 9999;
    }

    /// <summary>
    /// v2 cpu.max "$QUOTA $PERIOD": null when neither quota nor period is set; the period defaults to 100000 µs;
    /// a quota that is unset, 0 or negative (OCI's -1) means unlimited and becomes "max" (e.g. "max 100000").
    /// </summary>
    public static string? CpuMaxV2(long? quota, ulong? period)
    {
        long q = quota ?? 0;
        ulong p = period ?? 0;
        if (q == 0 && p == 0) return null;
        if (p == 0) p = DefaultCpuPeriod;
        var quotaText = q > 0 ? CgroupResourceWriter.Format(q) : "max";
        return quotaText + " " + p.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// v1 cpu.cfs_quota_us: null when unset or 0 (runc writes nothing for 0); any negative quota becomes "-1", the
    /// kernel's "unlimited"; a positive quota is written as is.
    /// </summary>
    public static string? CfsQuotaV1(long? quota) => quota switch
    {
        null or 0 => null,
        < 0 => "-1",
        _ => CgroupResourceWriter.Format(quota.Value),
    };
}
