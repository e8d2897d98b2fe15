using Carton.Oci;
using Carton.Linux.Cgroups.Controllers;

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
    /// <summary>Statistics for the cgroup given by <paramref name="paths"/> (<see cref="ICgroupManager.Paths"/>), each controller in table order.</summary>
    public static CgroupStats Read(CgroupHost host, IReadOnlyDictionary<string, string> paths)
    {
        var stats = new CgroupStats();
        foreach (var controller in CgroupControllers.All) controller.ReadStats(host, paths, stats);
        return stats;
    }

    /// <summary>
    /// How many processes the kernel OOM killer has killed in the cgroup: "oom_kill" in memory.oom_control (v1) or
    /// memory.events (v2). 0 when there is no memory controller or the kernel does not report the count.
    /// </summary>
    public static int OomKillCount(CgroupHost host, IReadOnlyDictionary<string, string> paths) => MemoryController.OomKillCount(host, paths);

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
}
