namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// The one table of cgroup controllers. Adding a controller means a new <see cref="CgroupController"/> file and a
/// line in each list below; the drivers (<see cref="CgroupV1Resources"/>, <see cref="CgroupV2Resources"/>,
/// <see cref="Stats.CgroupStatsReader"/>) and the unit tests that hold the table against
/// Carton.Oci.ResourceGroups.All pick it up from here.
/// </summary>
public static class CgroupControllers
{
    public static CpuController Cpu { get; } = new();
    public static CpusetController Cpuset { get; } = new();
    public static MemoryController Memory { get; } = new();
    public static PidsController Pids { get; } = new();
    public static IoController Io { get; } = new();
    public static HugetlbController Hugetlb { get; } = new();
    public static RdmaController Rdma { get; } = new();
    public static NetworkController Network { get; } = new();
    public static DevicesController Devices { get; } = new();
    public static MiscController Misc { get; } = new();
    public static UnifiedController Unified { get; } = new();

    /// <summary>
    /// Every controller. This order is the order of the up-front checks (<see cref="CgroupController.Validate"/>)
    /// and of statistics reading.
    /// </summary>
    public static IReadOnlyList<CgroupController> All { get; } =
        [Cpu, Cpuset, Memory, Pids, Io, Hugetlb, Rdma, Network, Devices, Misc, Unified];

    /// <summary>
    /// The order of writes on cgroup v1: runc's fs subsystem order (cpuset, devices, memory, cpu, pids, blkio,
    /// hugetlb, net_cls, net_prio, rdma). Unified is refused on v1 by its check; misc writes nothing.
    /// </summary>
    internal static IReadOnlyList<CgroupController> V1Order { get; } =
        [Cpuset, Devices, Memory, Cpu, Pids, Io, Hugetlb, Network, Rdma, Misc, Unified];

    /// <summary>
    /// The order of writes on cgroup v2: runc's fs2 order (pids, memory, io, cpu, devices, cpuset, hugetlb, rdma),
    /// then the network warning, then unified last so that it overrides converted values.
    /// </summary>
    internal static IReadOnlyList<CgroupController> V2Order { get; } =
        [Pids, Memory, Io, Cpu, Devices, Cpuset, Hugetlb, Rdma, Network, Misc, Unified];
}
