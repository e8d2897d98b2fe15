using System.Globalization;
using Carton.Linux.Cgroups.Stats;
using Carton.Oci;
using static Carton.Linux.Cgroups.Stats.CgroupStatFiles;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// io (v2) / blkio (v1): linux.resources.blockIO (config-linux.md "Block IO"): weights and per-device throttles.
/// The OCI weight is the v1 blkio scale (10..1000); v2 io.weight (1..10000) gets it through
/// <see cref="BlkioWeightToIoWeight"/>, runc's formula.
/// </summary>
public sealed class IoController : CgroupController
{
    /// <summary>v1 blkio.weight bounds (10..1000) and v2 io.weight bounds (1..10000).</summary>
    public const ulong MinBlkioWeight = 10, MaxBlkioWeight = 1000, MinIoWeight = 1, MaxIoWeight = 10000;

    public override string Name => "io";

    public override IReadOnlyList<string> Groups { get; } = ["blockIO"];

    /// <summary>
    /// blkio.weight and blkio.weight_device belong to CFQ, which Linux 5.0 removed; with BFQ the same knobs are
    /// blkio.bfq.weight and blkio.bfq.weight_device. Like runc, use the CFQ names when blkio.weight exists and the
    /// BFQ names otherwise. leaf_weight has no BFQ equivalent, so it fails where CFQ is gone (as in runc).
    /// </summary>
    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r)
    {
        if (r.BlockIO is not { } b) return;
        var w = ctx.Writer;
        var any = b.Weight is not (null or 0) || b.LeafWeight is not (null or 0) || b.WeightDevice is { Count: > 0 }
            || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
            || b.ThrottleReadIOPSDevice is { Count: > 0 } || b.ThrottleWriteIOPSDevice is { Count: > 0 };
        if (!any) return;
        var dir = ctx.Require("blkio", "linux.resources.blockIO");
        var cfq = CgroupResourceWriter.Exists(dir, "blkio.weight");
        var weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
        var weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";

        if (b.Weight is { } weight and not 0)
            w.Write("linux.resources.blockIO.weight", dir, weightFile, CgroupResourceWriter.Format((ulong)weight));
        if (b.LeafWeight is { } leaf and not 0)
            w.Write("linux.resources.blockIO.leafWeight", dir, "blkio.leaf_weight", CgroupResourceWriter.Format((ulong)leaf));
        if (b.WeightDevice is { } devices)
            for (var i = 0; i < devices.Count; i++)
            {
                if (devices[i] is not { } d) continue;
                if (d.Weight is { } dw)
                    w.Write($"linux.resources.blockIO.weightDevice[{i}].weight", dir, weightDeviceFile, DeviceValue(d.Major, d.Minor, dw));
                if (d.LeafWeight is { } dl)
                    w.Write($"linux.resources.blockIO.weightDevice[{i}].leafWeight", dir, "blkio.leaf_weight_device", DeviceValue(d.Major, d.Minor, dl));
            }
        Throttle(w, dir, "throttleReadBpsDevice", "blkio.throttle.read_bps_device", null, b.ThrottleReadBpsDevice);
        Throttle(w, dir, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", null, b.ThrottleWriteBpsDevice);
        Throttle(w, dir, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", null, b.ThrottleReadIOPSDevice);
        Throttle(w, dir, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", null, b.ThrottleWriteIOPSDevice);
    }

    /// <summary>
    /// One write per device: "major:minor rate" to a v1 blkio.throttle.* file, or, given the v2
    /// <paramref name="ioMaxKey"/> (rbps, wbps, riops or wiops), "major:minor key=rate" to io.max.
    /// </summary>
    private static void Throttle(CgroupResourceWriter w, string dir, string name, string file, string? ioMaxKey, List<LinuxThrottleDevice>? devices)
    {
        if (devices is null) return;
        for (var i = 0; i < devices.Count; i++)
            if (devices[i] is { } d)
                w.Write($"linux.resources.blockIO.{name}[{i}]", dir, file, ioMaxKey is null
                    ? DeviceValue(d.Major, d.Minor, d.Rate)
                    : string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {ioMaxKey}={d.Rate}"));
    }

    /// <summary>
    /// io.weight takes "default N" with N in 1..10000, so the OCI (blkio, 10..1000) weight is converted; per-device
    /// weights are "major:minor N" in the same file. Where io.weight is missing (no io.cost support) but BFQ provides
    /// io.bfq.weight (1..1000, the blkio scale), the unconverted weight goes there. runc checks BFQ first; Carton
    /// prefers io.weight because it applies to every scheduler, not only to devices that run BFQ.
    /// </summary>
    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r)
    {
        if (r.BlockIO is not { } b) return;
        var (dir, w) = (ctx.Dir, ctx.Writer);
        var weighted = b.Weight is not (null or 0) || b.WeightDevice?.Any(d => d?.Weight is not null) == true;
        var throttled = b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
            || b.ThrottleReadIOPSDevice is { Count: > 0 } || b.ThrottleWriteIOPSDevice is { Count: > 0 };
        if (b.LeafWeight is not (null or 0) || b.WeightDevice?.Any(d => d?.LeafWeight is not null) == true)
            ctx.Warnings.Add("linux.resources.blockIO.leafWeight: ignored: cgroup v2 has no leaf weights");
        if (!weighted && !throttled) return;
        ctx.Require("io", "linux.resources.blockIO");

        if (weighted)
        {
            var useIoWeight = CgroupResourceWriter.Exists(dir, "io.weight");
            if (!useIoWeight && !CgroupResourceWriter.Exists(dir, "io.bfq.weight"))
                throw new CgroupException($"linux.resources.blockIO.weight: neither io.weight nor io.bfq.weight exists in {dir} (the kernel has neither io.cost nor BFQ weights)");
            var file = useIoWeight ? "io.weight" : "io.bfq.weight";
            if (b.Weight is { } weight and not 0)
            {
                var value = useIoWeight ? "default " + CgroupResourceWriter.Format(BlkioWeightToIoWeight(weight)) : CgroupResourceWriter.Format((ulong)weight);
                w.Write("linux.resources.blockIO.weight", dir, file, value);
            }
            if (b.WeightDevice is { } devices)
                for (var i = 0; i < devices.Count; i++)
                    if (devices[i] is { Weight: { } dw } d)
                    {
                        var value = useIoWeight ? BlkioWeightToIoWeight(dw) : dw;
                        w.Write($"linux.resources.blockIO.weightDevice[{i}].weight", dir, file, DeviceValue(d.Major, d.Minor, value));
                    }
        }
        Throttle(w, dir, "throttleReadBpsDevice", "io.max", "rbps", b.ThrottleReadBpsDevice);
        Throttle(w, dir, "throttleWriteBpsDevice", "io.max", "wbps", b.ThrottleWriteBpsDevice);
        Throttle(w, dir, "throttleReadIOPSDevice", "io.max", "riops", b.ThrottleReadIOPSDevice);
        Throttle(w, dir, "throttleWriteIOPSDevice", "io.max", "wiops", b.ThrottleWriteIOPSDevice);
    }

    /// <summary>"major:minor value" as blkio.*_device, blkio.throttle.* and per-device io.weight lines expect.</summary>
    private static string DeviceValue(long major, long minor, ulong value) =>
        string.Create(CultureInfo.InvariantCulture, $"{major}:{minor} {value}");

    internal override void ReadStats(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupStats stats)
    {
        if (CgroupStatsReader.Locate(host, paths, "blkio") is not { } blkio) return;
        if (blkio.V2) ReadIoV2(blkio.Dir, stats.Blkio);
        else ReadBlkioV1(blkio.Dir, stats.Blkio);
    }

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
        return 10 + ((ioWeight - 1) * 990 + 9999 - 1) / 9999;
    }
}
