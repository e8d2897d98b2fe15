using Carton.Linux.Cgroups.Stats;
using Carton.Oci;
using static Carton.Linux.Cgroups.Stats.CgroupStatFiles;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// hugetlb: linux.resources.hugepageLimits (config-linux.md "Huge page limits"). One file per page size:
/// hugetlb.&lt;size&gt;.limit_in_bytes on v1, hugetlb.&lt;size&gt;.max on v2, plus the .rsvd. variant of the same
/// file where the kernel has reservation accounting (config-linux.md prefers it; runc writes both).
/// </summary>
public sealed class HugetlbController : CgroupController
{
    private const string Field = "linux.resources.hugepageLimits";

    public override string Name => "hugetlb";

    public override IReadOnlyList<string> Groups { get; } = ["hugepageLimits"];

    /// <summary>Page sizes must read &lt;size&gt;&lt;K|M|G|T|P&gt;B: the size becomes part of a file name, so anything else, a '/' above all, is refused.</summary>
    internal override void Validate(LinuxResources r, bool v2)
    {
        if (r.HugepageLimits is not { } limits) return;
        for (var i = 0; i < limits.Count; i++)
            if (limits[i] is { } h && !IsPageSize(h.Pagesize))
                throw new CgroupException($"{Field}[{i}].pageSize: \"{h.Pagesize}\" is not a hugepage size such as 2MB or 1GB");
    }

    /// <summary>"2MB", "64KB", "1GB": digits, a binary unit prefix, then B (the kernel's hugetlb file naming).</summary>
    public static bool IsPageSize(string? size)
    {
        if (size is not { Length: >= 3 } || size[^1] != 'B' || "KMGTP".IndexOf(size[^2]) < 0) return false;
        for (var i = 0; i < size.Length - 2; i++)
            if (size[i] is < '0' or > '9') return false;
        return true;
    }

    /// <summary>
    /// On a hybrid host whose hugetlb controller is only attached to the unified tree (no v1 hugetlb mount) the
    /// limits go to the container's cgroup2 directory instead, in v2 form.
    /// </summary>
    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r)
    {
        if (r.HugepageLimits is not { Count: > 0 } limits) return;
        var dir = ctx.Find("hugetlb");
        if (dir is null)
        {
            if (ctx.Host.FindByController("hugetlb") is null && ctx.Host.Unified is { } unified && ctx.Paths.TryGetValue("", out var unifiedDir)
                && RootHasController(unified.MountPoint, "hugetlb"))
            {
                // Only where the host already delegates hugetlb to this subtree: enabling it in the unified root's
                // cgroup.subtree_control would be a host-wide change that outlives the container.
                var enabled = CgroupFiles.TryRead(Path.Combine(Path.GetDirectoryName(unifiedDir.TrimEnd('/'))!, "cgroup.subtree_control")) ?? "";
                if (!enabled.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains("hugetlb"))
                    throw new CgroupException($"{Field}: on this hybrid host hugetlb exists only in the cgroup v2 hierarchy and is not enabled for the container's parent cgroup (cgroup.subtree_control); carton does not change host-wide cgroup settings");
                WriteLimits(ctx.Writer, unifiedDir, limits, ".max");
                return;
            }
            ctx.Require("hugetlb", Field);
            return;
        }
        WriteLimits(ctx.Writer, dir, limits, ".limit_in_bytes");
    }

    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r)
    {
        if (r.HugepageLimits is not { Count: > 0 } limits) return;
        ctx.Require("hugetlb", Field);
        WriteLimits(ctx.Writer, ctx.Dir, limits, ".max");
    }

    /// <summary>hugetlb.&lt;size&gt;&lt;suffix&gt; per limit, then hugetlb.&lt;size&gt;.rsvd&lt;suffix&gt; when it exists; a size without its file is not supported.</summary>
    private static void WriteLimits(CgroupResourceWriter w, string dir, List<LinuxHugepageLimit> limits, string suffix)
    {
        for (var i = 0; i < limits.Count; i++)
        {
            if (limits[i] is not { } h) continue;
            var file = $"hugetlb.{h.Pagesize}{suffix}";
            if (!CgroupResourceWriter.Exists(dir, file))
                throw new CgroupException($"{Field}[{i}].pageSize: hugepage size {h.Pagesize} is not supported on this host ({Path.Combine(dir, file)} does not exist)");
            var value = CgroupResourceWriter.Format(h.Limit);
            w.Write($"{Field}[{i}].limit", dir, file, value);
            var rsvd = $"hugetlb.{h.Pagesize}.rsvd{suffix}";
            if (CgroupResourceWriter.Exists(dir, rsvd)) w.Write($"{Field}[{i}].limit", dir, rsvd, value);
        }
    }

    /// <summary>True if the cgroup2 root at <paramref name="mountPoint"/> offers <paramref name="controller"/> (its cgroup.controllers).</summary>
    private static bool RootHasController(string mountPoint, string controller)
    {
        try
        {
            var text = CgroupFiles.TryRead(Path.Combine(mountPoint, "cgroup.controllers"));
            return text is not null && text.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Contains(controller, StringComparer.Ordinal);
        }
        catch (CgroupException)
        {
            return false;
        }
    }

    /// <summary>
    /// One entry per page size found in the directory (read from the v2 directory on hybrid hosts whose hugetlb lives
    /// only in cgroup2). v1: hugetlb.&lt;size&gt;.usage_in_bytes, max_usage_in_bytes, failcnt. v2 (as runc): usage
    /// from hugetlb.&lt;size&gt;.current, failcnt from "max" in hugetlb.&lt;size&gt;.events; there is no max-usage file
    /// (hugetlb.&lt;size&gt;.max is the limit, not a peak).
    /// </summary>
    internal override void ReadStats(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupStats stats)
    {
        if (CgroupStatsReader.Locate(host, paths, "hugetlb") is not { } located) return;
        var (dir, v2) = (located.Dir, located.V2);
        var suffix = v2 ? ".current" : ".usage_in_bytes";
        foreach (var size in HugePageSizes(dir, suffix))
        {
            var prefix = "hugetlb." + size;
            if (ReadUint(dir, prefix + suffix) is not { } usage) continue; // raced with removal
            stats.Hugetlb[size] = v2
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
