using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Controllers;
using Carton.Oci;

namespace Carton.Linux.Tests.Cgroups.Controllers;

/// <summary>
/// The controller table against the list of linux.resources groups: a controller written but not registered, or a
/// group added to LinuxResources without a controller, fails here.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupControllersTests
{
    /// <summary>Every group of linux.resources set to something a controller must act on.</summary>
    private static LinuxResources Full() => new()
    {
        Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
        Memory = new LinuxMemory { Limit = 64 << 20 },
        Cpu = new LinuxCpu { Shares = 1024, Cpus = "0" },
        Pids = new LinuxPids { Limit = 20 },
        BlockIO = new LinuxBlockIO { Weight = 500 },
        HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 0 }],
        Network = new LinuxNetwork { ClassID = 1 },
        Rdma = new Dictionary<string, LinuxRdma> { ["mlx5_1"] = new LinuxRdma { HcaHandles = 3 } },
        Unified = new Dictionary<string, string> { ["pids.max"] = "5" },
    };

    /// <summary>Only <paramref name="group"/> of <see cref="Full"/>.</summary>
    private static LinuxResources Only(ResourceGroup group)
    {
        var r = new LinuxResources();
        group.CopyIfPresent(Full(), r);
        return r;
    }

    [Fact]
    public void Full_SetsEveryGroup() =>
        Assert.All(ResourceGroups.All, g => Assert.True(g.IsRequested(Full()), g.Name));

    [Fact]
    public void Controllers_CoverEveryResourceGroup_AndNameOnlyKnownOnes()
    {
        var covered = CgroupControllers.All.SelectMany(c => c.Groups).ToHashSet(StringComparer.Ordinal);
        var groups = ResourceGroups.All.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(groups.Except(covered));
        Assert.Empty(covered.Except(groups));
    }

    [Fact]
    public void WriteOrders_ArePermutationsOfTheTable()
    {
        Assert.Equal(CgroupControllers.All.Count, CgroupControllers.All.Distinct().Count());
        Assert.Equal(CgroupControllers.All.ToHashSet(), CgroupControllers.V1Order.ToHashSet());
        Assert.Equal(CgroupControllers.All.Count, CgroupControllers.V1Order.Count);
        Assert.Equal(CgroupControllers.All.ToHashSet(), CgroupControllers.V2Order.ToHashSet());
        Assert.Equal(CgroupControllers.All.Count, CgroupControllers.V2Order.Count);
        Assert.Equal(CgroupControllers.All.Count, CgroupControllers.All.Select(c => c.Name).Distinct().Count());
    }

    /// <summary>
    /// What applying one group did: wrote something, warned, or refused (a controller that is missing from the table
    /// does none of these, so the group would be silently dropped).
    /// </summary>
    private static bool Handled(Func<IReadOnlyList<string>> apply, List<(string Path, string Value)> journal, out string outcome)
    {
        try
        {
            var warnings = apply();
            outcome = $"{journal.Count} writes, warnings: {string.Join("; ", warnings)}";
            return journal.Count > 0 || warnings.Count > 0;
        }
        catch (CgroupException e)
        {
            outcome = "error: " + e.Message;
            return true;
        }
    }

    [Fact]
    public void V1_EveryGroupIsAppliedOrReported()
    {
        foreach (var group in ResourceGroups.All)
        {
            using var f = CgroupResourceFixture.V1(null, "cpuset", "devices", "memory", "cpu,cpuacct", "pids", "blkio", "hugetlb", "net_cls", "net_prio", "rdma");
            Assert.Empty(f.ApplyV1(new LinuxResources()));
            Assert.Empty(f.Journal);
            Assert.True(Handled(() => f.ApplyV1(Only(group)), f.Journal, out var outcome), $"{group.Name}: {outcome}");
        }
    }

    [Fact]
    public void V2_EveryGroupIsAppliedOrReported()
    {
        foreach (var group in ResourceGroups.All)
        {
            using var f = CgroupResourceFixture.V2("cpuset cpu io memory hugetlb pids rdma misc");
            f.Touch("", "pids.max", "memory.max", "cpu.weight", "cpuset.cpus", "io.weight", "hugetlb.2MB.max", "rdma.max");
            Assert.Empty(f.ApplyV2(new LinuxResources()));
            Assert.Empty(f.Journal);
            Assert.True(Handled(() => f.ApplyV2(Only(group)), f.Journal, out var outcome), $"{group.Name}: {outcome}");
        }
    }
}
