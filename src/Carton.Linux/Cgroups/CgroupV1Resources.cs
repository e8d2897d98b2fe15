using Carton.Linux.Cgroups.Controllers;
using Carton.Oci;

namespace Carton.Linux.Cgroups;

/// <summary>
/// Applies linux.resources (config-linux.md "Control groups" and its Memory, CPU, Block IO, Huge page limits,
/// Network, PIDs, RDMA and Allowed Device list sections) to a container's cgroup v1 directories, following runc's
/// fs driver: the same files, values, write order and tolerated failures. Each controller's part lives in its class
/// under Controllers/; this driver runs their checks, then their v1 writes in <see cref="CgroupControllers.V1Order"/>.
/// <para>
/// Errors vs warnings. A setting that cannot be honoured is an error (nothing after it is written) when runc fails
/// too: a controller that is not mounted ("linux.resources.pids: the pids controller is not mounted on this host"),
/// a missing control file, a refused write. Warnings are returned only where runc ignores the setting or the kernel
/// dropped the knob: memory.kernel / memory.kernelTCP (deprecated; file missing, or the kernel accepts and ignores
/// the value), memory.useHierarchy=false on kernels where hierarchy is always on, cpu.burst without cpu.cfs_burst_us.
/// A linux.resources.unified map is always an error on v1 (config-linux.md "Unified").
/// </para>
/// <para>
/// pids.limit 0 is written as "max", as runc before 1.3 did and the model documents, although config-linux.md
/// "PIDs" now says 0 SHOULD be a real limit of zero; OCI 0 for memory/cpu values likewise means "unset".
/// </para>
/// </summary>
public static class CgroupV1Resources
{
    /// <param name="host">The probed host, used to tell "controller not mounted" from "no cgroup for it" and, on hybrid hosts, to reach the unified tree.</param>
    /// <param name="paths">Hierarchy key ("cpu,cpuacct", "memory", "name=systemd"; "" for the unified tree) → absolute cgroup directory.</param>
    /// <param name="r">The resources; null members are left untouched, so the same call serves create and update.</param>
    /// <returns>Warnings for settings that were skipped or not fully honoured.</returns>
    public static IReadOnlyList<string> Apply(CgroupHost host, IReadOnlyDictionary<string, string> paths, LinuxResources r) =>
        Apply(host, paths, r, new CgroupResourceWriter());

    internal static IReadOnlyList<string> Apply(CgroupHost host, IReadOnlyDictionary<string, string> paths, LinuxResources r, CgroupResourceWriter writer)
    {
        ArgumentNullException.ThrowIfNull(r);
        foreach (var controller in CgroupControllers.All) controller.Validate(r, v2: false);
        var context = new CgroupV1Context(host, paths, writer);
        foreach (var controller in CgroupControllers.V1Order) controller.ApplyV1(context, r);
        return context.Warnings;
    }
}
