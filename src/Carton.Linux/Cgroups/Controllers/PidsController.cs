using Carton.Linux.Cgroups.Stats;
using Carton.Oci;
using static Carton.Linux.Cgroups.Stats.CgroupStatFiles;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// pids: linux.resources.pids.limit (config-linux.md "PIDs") to pids.max, the same file on both versions.
/// A limit of 0 is written as "max", as runc before 1.3 did and the model documents, although config-linux.md
/// "PIDs" now says 0 SHOULD be a real limit of zero.
/// </summary>
public sealed class PidsController : CgroupController
{
    public override string Name => "pids";

    public override IReadOnlyList<string> Groups { get; } = ["pids"];

    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r) => Write(r.Pids, ctx.Writer, ctx.Require);

    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r) => Write(r.Pids, ctx.Writer, ctx.Require);

    /// <summary>The same file on both versions; <paramref name="require"/> is the version's check that the controller is there.</summary>
    private static void Write(LinuxPids? pids, CgroupResourceWriter w, Func<string, string, string> require)
    {
        if (pids is { Limit: { } limit })
            w.Write("linux.resources.pids.limit", require("pids", "linux.resources.pids"), "pids.max", PidsMax(limit));
    }

    internal override void ReadStats(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupStats stats)
    {
        if (CgroupStatsReader.Locate(host, paths, "pids") is not { } located) return;
        var (dir, v2, pids) = (located.Dir, located.V2, stats.Pids);
        if (ReadUint(dir, "pids.current") is { } current) pids.Current = current;
        else if (v2 && ReadText(dir, "cgroup.procs") is { } procs) pids.Current = (ulong)Lines(procs).Count(); // pids controller not enabled: runc counts cgroup.procs
        else return;
        // "max" (no limit) is reported as 0, as runc has always done.
        var limit = ReadUint(dir, "pids.max") ?? 0;
        pids.Limit = limit == ulong.MaxValue ? 0 : limit;
    }

    /// <summary>pids.max (v1 and v2): "max" for a limit &lt;= 0 (see the class remarks on 0), else the number.</summary>
    public static string PidsMax(long limit) => limit <= 0 ? "max" : CgroupResourceWriter.Format(limit);
}
