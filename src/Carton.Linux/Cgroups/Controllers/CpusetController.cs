using Carton.Linux.Cgroups.Stats;
using Carton.Oci;
using static Carton.Linux.Cgroups.Stats.CgroupStatFiles;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// cpuset: linux.resources.cpu.cpus and .mems (config-linux.md "CPU"). Both must be subsets of the parent's; on v1
/// the manager copies the parent's into a new cgroup at Create (<see cref="CgroupV1Manager"/>).
/// </summary>
public sealed class CpusetController : CgroupController
{
    public override string Name => "cpuset";

    public override IReadOnlyList<string> Groups { get; } = ["cpu"];

    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r) => Write(r.Cpu, ctx.Writer, ctx.Require);

    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r) => Write(r.Cpu, ctx.Writer, ctx.Require);

    /// <summary>The same files on both versions; <paramref name="require"/> is the version's check that the controller is there.</summary>
    private static void Write(LinuxCpu? cpu, CgroupResourceWriter w, Func<string, string, string> require)
    {
        if (cpu is null) return;
        // cpus before mems, as runc; both must be subsets of the parent's (inherited at Create on v1).
        if (!string.IsNullOrEmpty(cpu.Cpus))
            w.Write("linux.resources.cpu.cpus", require("cpuset", "linux.resources.cpu.cpus"), "cpuset.cpus", cpu.Cpus);
        if (!string.IsNullOrEmpty(cpu.Mems))
            w.Write("linux.resources.cpu.mems", require("cpuset", "linux.resources.cpu.mems"), "cpuset.mems", cpu.Mems);
    }

    /// <summary>From a v1 cpuset hierarchy only; on v2 the cpuset statistics stay empty.</summary>
    internal override void ReadStats(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupStats stats)
    {
        if (CgroupStatsReader.Locate(host, paths, "cpuset") is not { V2: false } located) return;
        var (dir, cpuset) = (located.Dir, stats.Cpuset);
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
}
