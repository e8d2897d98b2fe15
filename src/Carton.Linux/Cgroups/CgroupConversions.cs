using System.Globalization;

namespace Carton.Linux.Cgroups;

/// <summary>
/// Conversions between the OCI resource values, which config-linux.md ("Control groups" → "CPU", "Memory",
/// "Block IO") defines in cgroup v1 terms, and the cgroup v2 files. The formulas are runc's
/// (opencontainers/cgroups utils.go and fs2), so a config behaves the same under Carton and runc.
/// </summary>
public static class CgroupConversions
{
    /// <summary>Kernel cpu.shares bounds (MIN_SHARES 2, MAX_SHARES 1&lt;&lt;18) and cpu.weight bounds (1..10000).</summary>
    public const ulong MinShares = 2, MaxShares = 262144, MinCpuWeight = 1, MaxCpuWeight = 10000;

    /// <summary>v1 blkio.weight bounds (10..1000) and v2 io.weight bounds (1..10000).</summary>
    public const ulong MinBlkioWeight = 10, MaxBlkioWeight = 1000, MinIoWeight = 1, MaxIoWeight = 10000;

    /// <summary>The v2 period used when only a quota is given (the kernel's default cpu.max period).</summary>
    public const ulong DefaultCpuPeriod = 100000;

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
        return 2 + CeilDiv((weight - 1) * 262142, 9999);
    }

    /// <summary>
    /// blkio.weight → io.weight, runc's linear map of [10, 1000] onto [1, 10000]: 1 + (weight - 10) * 9999 / 990.
    /// 0 means "unset" and stays 0; other values are clamped to 10..1000. Known values: 10 → 1, 500 → 4950, 1000 → 10000.
    /// </summary>
    public static ulong BlkioWeightToIoWeight(ulong blkioWeight)
    {
        if (blkioWeight == 0) return 0;
        blkioWeight = Math.Clamp(blkioWeight, MinBlkioWeight, MaxBlkioWeight);
        return 1 + (blkioWeight - 10) * 9999 / 990;
    }

    /// <summary>
    /// io.weight → blkio.weight, the inverse of <see cref="BlkioWeightToIoWeight"/>. The forward map is one-to-one
    /// (about 10 io.weight steps per blkio step), so rounding (ioWeight-1)*990/9999 up gives back exactly the blkio
    /// weight for every value the forward map produces: <c>IoWeightToBlkioWeight(BlkioWeightToIoWeight(b)) == b</c>.
    /// io.weight values in between round up to the next blkio weight. 0 stays 0; values are clamped to 1..10000.
    /// </summary>
    public static ulong IoWeightToBlkioWeight(ulong ioWeight)
    {
        if (ioWeight == 0) return 0;
        ioWeight = Math.Clamp(ioWeight, MinIoWeight, MaxIoWeight);
        return 10 + CeilDiv((ioWeight - 1) * 990, 9999);
    }

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
        if (m == -1) return Format(s);
        if (m == 0)
            throw new CgroupException("linux.resources.memory.swap: cannot convert memory+swap to cgroup v2 memory.swap.max without linux.resources.memory.limit");
        if (m < 0) throw new CgroupException($"linux.resources.memory.limit: invalid value {Format(m)}");
        if (s < m)
            throw new CgroupException($"linux.resources.memory.swap: memory+swap limit {Format(s)} is below linux.resources.memory.limit {Format(m)}");
        return Format(s - m);
    }

    /// <summary>
    /// A v2 memory.max / memory.low / memory.swap.max value (runc's numToStr): 0 → null (unset, nothing written),
    /// negative (OCI uses -1) → "max", otherwise the number.
    /// </summary>
    public static string? MemoryV2(long? value) => value switch
    {
        null or 0 => null,
        < 0 => "max",
        _ => Format(value.Value),
    };

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
        var quotaText = q > 0 ? Format(q) : "max";
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
        _ => Format(quota.Value),
    };

    /// <summary>pids.max (v1 and v2): "max" for a limit &lt;= 0 (see <see cref="CgroupV1Resources"/> on 0), else the number.</summary>
    public static string PidsMax(long limit) => limit <= 0 ? "max" : Format(limit);

    private static ulong CeilDiv(ulong a, ulong b) => (a + b - 1) / b;

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
