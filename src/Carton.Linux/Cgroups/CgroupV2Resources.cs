using Carton.Linux.Cgroups.Controllers;
using Carton.Oci;

namespace Carton.Linux.Cgroups;

/// <summary>
/// Applies linux.resources to a cgroup v2 directory, following runc's fs2 driver. The OCI values are defined in
/// v1 terms (config-linux.md "Control groups"), so several are converted by their controller: cpu.shares →
/// cpu.weight, quota/period → cpu.max (<see cref="CpuController"/>), memory+swap → memory.swap.max
/// (<see cref="MemoryController"/>), blkio weight → io.weight (<see cref="IoController"/>). This driver runs the
/// controllers' checks, then their v2 writes in <see cref="CgroupControllers.V2Order"/>.
/// <para>
/// Errors vs warnings. A controller that is not enabled for the cgroup (absent from its cgroup.controllers), a
/// missing file or a refused write is an error naming the OCI field, as in runc. Settings with no v2 counterpart
/// that runc ignores are warnings: memory.swappiness, memory.kernel, memory.kernelTCP, memory.disableOOMKiller,
/// memory.useHierarchy=false, blockIO leaf weights, cpu.realtimePeriod/realtimeRuntime, network (net_cls/net_prio).
/// linux.resources.unified (config-linux.md "Unified") is written last, so it overrides converted values.
/// </para>
/// </summary>
public static class CgroupV2Resources
{
    /// <param name="dir">The container's cgroup directory in the unified tree.</param>
    /// <param name="r">The resources; null members are left untouched.</param>
    /// <returns>Warnings for settings that were skipped.</returns>
    public static IReadOnlyList<string> Apply(string dir, LinuxResources r) => Apply(dir, r, new CgroupResourceWriter());

    internal static IReadOnlyList<string> Apply(string dir, LinuxResources r, CgroupResourceWriter w)
    {
        ArgumentNullException.ThrowIfNull(r);
        foreach (var controller in CgroupControllers.All) controller.Validate(r, v2: true);
        var context = new CgroupV2Context(dir, w);
        foreach (var controller in CgroupControllers.V2Order) controller.ApplyV2(context, r);
        return context.Warnings;
    }
}
