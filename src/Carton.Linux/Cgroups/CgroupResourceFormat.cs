using System.Globalization;
using Carton.Oci;

namespace Carton.Linux.Cgroups;

/// <summary>
/// The text forms of the structured linux.resources entries (config-linux.md "Block IO", "Huge page limits",
/// "RDMA", "Network", "Allowed Device list") as the cgroup files expect them, plus the checks that must pass
/// before anything is written, so that a bad entry fails the whole update up front instead of half-way through.
/// </summary>
internal static class CgroupResourceFormat
{
    /// <summary>
    /// Checks what both cgroup versions require: swappiness 0..100 (config-linux.md "Memory"), hugepage sizes of
    /// the form &lt;size&gt;&lt;K|M|G|T|P&gt;B ("Huge page limits"; the size becomes part of a file name, so anything
    /// else, a '/' above all, is refused), and RDMA entries with at least one limit and a plain device name ("RDMA").
    /// </summary>
    public static void Validate(LinuxResources r)
    {
        if (r.Memory?.Swappiness is > 100 and var sw)
            throw new CgroupException($"linux.resources.memory.swappiness: {sw} is out of range (0-100)");
        if (r.HugepageLimits is { } limits)
            for (var i = 0; i < limits.Count; i++)
                if (limits[i] is { } h && !IsPageSize(h.Pagesize))
                    throw new CgroupException($"linux.resources.hugepageLimits[{i}].pageSize: \"{h.Pagesize}\" is not a hugepage size such as 2MB or 1GB");
        if (r.Rdma is { } rdma)
            foreach (var (device, limit) in rdma)
            {
                if (!IsPlainName(device)) throw new CgroupException($"linux.resources.rdma: invalid device name \"{device}\"");
                if (limit is null || (limit.HcaHandles is null && limit.HcaObjects is null))
                    throw new CgroupException($"linux.resources.rdma[\"{device}\"]: needs hcaHandles or hcaObjects");
            }
        if (r.Network?.Priorities is { } prios)
            for (var i = 0; i < prios.Count; i++)
                if (prios[i] is { } p && !IsPlainName(p.Name))
                    throw new CgroupException($"linux.resources.network.priorities[{i}].name: invalid interface name \"{p.Name}\"");
    }

    /// <summary>"2MB", "64KB", "1GB": digits, a binary unit prefix, then B (the kernel's hugetlb file naming).</summary>
    public static bool IsPageSize(string? size)
    {
        if (size is not { Length: >= 3 } || size[^1] != 'B' || "KMGTP".IndexOf(size[^2]) < 0) return false;
        for (var i = 0; i < size.Length - 2; i++)
            if (size[i] is < '0' or > '9') return false;
        return true;
    }

    private static bool IsPlainName(string? name) =>
        !string.IsNullOrEmpty(name) && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/');

    /// <summary>"major:minor value" as blkio.*_device and blkio.throttle.* expect.</summary>
    public static string DeviceValue(long major, long minor, ulong value) =>
        string.Create(CultureInfo.InvariantCulture, $"{major}:{minor} {value}");

    /// <summary>"major:minor key=value" as v2 io.max expects (key rbps, wbps, riops or wiops).</summary>
    public static string IoMax(LinuxThrottleDevice d, string key) =>
        string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {key}={d.Rate}");

    /// <summary>rdma.max line: "mlx5_1 hca_handle=3 hca_object=10000", only the limits that are set (runc's format).</summary>
    public static string RdmaMax(string device, LinuxRdma limit)
    {
        var line = device;
        if (limit.HcaHandles is { } h) line += " hca_handle=" + h.ToString(CultureInfo.InvariantCulture);
        if (limit.HcaObjects is { } o) line += " hca_object=" + o.ToString(CultureInfo.InvariantCulture);
        return line;
    }

    /// <summary>
    /// A v1 devices.allow/devices.deny line: "type major:minor access". A missing or "a" type is "a" (all devices),
    /// a null major or minor is the "*" wildcard, and a missing access means "rwm" (config-linux.md "Allowed Device list").
    /// </summary>
    public static string DeviceRule(LinuxDeviceCgroup d)
    {
        var type = string.IsNullOrEmpty(d.Type) ? "a" : d.Type;
        var major = d.Major is { } ma ? ma.ToString(CultureInfo.InvariantCulture) : "*";
        var minor = d.Minor is { } mi ? mi.ToString(CultureInfo.InvariantCulture) : "*";
        var access = string.IsNullOrEmpty(d.Access) ? "rwm" : d.Access;
        return $"{type} {major}:{minor} {access}";
    }
}
