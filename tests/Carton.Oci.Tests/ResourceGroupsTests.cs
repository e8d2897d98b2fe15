using System.Reflection;
using System.Text.Json.Serialization;

namespace Carton.Oci.Tests;

public class ResourceGroupsTests
{
    /// <summary>Every group of linux.resources set (to something small but non-empty).</summary>
    internal static LinuxResources Full() => new()
    {
        Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
        Memory = new LinuxMemory { Limit = 1 << 20 },
        Cpu = new LinuxCpu { Shares = 512 },
        Pids = new LinuxPids { Limit = 10 },
        BlockIO = new LinuxBlockIO { Weight = 100 },
        HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 0 }],
        Network = new LinuxNetwork { ClassID = 1 },
        Rdma = new Dictionary<string, LinuxRdma> { ["mlx5_1"] = new LinuxRdma { HcaHandles = 1 } },
        Unified = new Dictionary<string, string> { ["pids.max"] = "5" },
    };

    /// <summary>The JSON names of LinuxResources' members (its groups), found by reflection so that a new member must be listed.</summary>
    private static IEnumerable<string> ModelGroups() =>
        typeof(LinuxResources).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonExtensionDataAttribute>() is null)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name);

    [Fact]
    public void All_ListsEveryMemberOfLinuxResources_Once()
    {
        Assert.Equal(ModelGroups().Order(StringComparer.Ordinal), ResourceGroups.All.Select(g => g.Name).Order(StringComparer.Ordinal));
        Assert.All(ResourceGroups.All, g => Assert.True(g.IsPresent(Full()), g.Name));
    }

    [Fact]
    public void Merge_ReplacesGivenGroups_KeepsOthers()
    {
        var current = Full();
        var memory = new LinuxMemory { Reservation = 5 };
        var rdma = new Dictionary<string, LinuxRdma>();
        var merged = ResourceGroups.Merge(current, new LinuxResources { Memory = memory, Rdma = rdma });
        Assert.Same(current, merged);
        Assert.Same(memory, merged.Memory);
        Assert.Same(rdma, merged.Rdma); // an empty group given still replaces
        Assert.Equal(512UL, merged.Cpu!.Shares);
        Assert.Equal(10, merged.Pids!.Limit);
        Assert.Single(merged.Devices!);
    }

    [Fact]
    public void Merge_EveryGroup()
    {
        var merged = ResourceGroups.Merge(new LinuxResources(), Full());
        Assert.All(ResourceGroups.All, g => Assert.True(g.IsPresent(merged), g.Name));
        var copy = ResourceGroups.Copy(Full());
        Assert.All(ResourceGroups.All, g => Assert.True(g.IsPresent(copy), g.Name));
    }

    [Fact]
    public void NeedDelegation_LimitsButNotDevicesOrNetwork()
    {
        Assert.False(ResourceGroups.NeedDelegation(null));
        Assert.False(ResourceGroups.NeedDelegation(new LinuxResources()));
        Assert.False(ResourceGroups.NeedDelegation(new LinuxResources { Devices = Full().Devices, Network = Full().Network }));
        Assert.False(ResourceGroups.NeedDelegation(new LinuxResources { HugepageLimits = [], Rdma = [], Unified = [] }));
        Assert.True(ResourceGroups.NeedDelegation(new LinuxResources { Memory = new LinuxMemory() }));
        Assert.True(ResourceGroups.NeedDelegation(new LinuxResources { Unified = Full().Unified }));
        Assert.Equal(["memory", "cpu", "pids", "blockIO", "hugepageLimits", "rdma", "unified"],
            ResourceGroups.All.Where(g => g.NeedsDelegation).Select(g => g.Name));
    }
}
