using Carton.Linux.Cgroups;
using Carton.Oci;

namespace Carton.Linux.Tests.Cgroups;

/// <summary>linux.resources on a cgroup v2 directory of a fake tree: conversions, exact contents, warnings and errors.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupV2ResourcesTests
{
    private const string All = "cpuset cpu io memory hugetlb pids rdma misc";

    private static CgroupResourceFixture Full()
    {
        var f = CgroupResourceFixture.V2(All);
        f.Touch("", "pids.max", "memory.max", "memory.low", "memory.swap.max", "memory.current=1000000", "cpu.weight", "cpu.max",
            "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "io.weight", "io.max", "hugetlb.2MB.max",
            "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max", "rdma.max", "memory.high", "memory.oom.group", "cgroup.type");
        return f;
    }

    [Fact]
    public void EveryResourceWithConversions()
    {
        using var f = Full();
        var warnings = f.ApplyV2(new LinuxResources
        {
            Pids = new LinuxPids { Limit = 20 },
            Memory = new LinuxMemory { Limit = 64 << 20, Reservation = 32 << 20, Swap = 96 << 20, CheckBeforeUpdate = true },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Period = 100000, Burst = 10000, Cpus = "0-1", Mems = "0", Idle = 1 },
            BlockIO = new LinuxBlockIO
            {
                Weight = 500,
                WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 100 }],
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 600 }],
                ThrottleWriteBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 700 }],
                ThrottleReadIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 300 }],
                ThrottleWriteIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 400 }],
            },
            HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 209715200 }, new LinuxHugepageLimit { Pagesize = "1GB", Limit = 0 }],
            Rdma = new() { ["mlx5_1"] = new LinuxRdma { HcaHandles = 3, HcaObjects = 10000 } },
            Unified = new() { ["memory.high"] = "50000000", ["memory.oom.group"] = "1" },
        });
        Assert.Empty(warnings);
        Assert.Equal("20", f.Read("", "pids.max"));
        Assert.Equal("67108864", f.Read("", "memory.max"));
        Assert.Equal("33554432", f.Read("", "memory.low"));
        Assert.Equal("33554432", f.Read("", "memory.swap.max")); // 96 MiB memory+swap - 64 MiB memory
        Assert.Equal("39", f.Read("", "cpu.weight"));           // 1024 shares
        Assert.Equal("50000 100000", f.Read("", "cpu.max"));
        Assert.Equal("10000", f.Read("", "cpu.max.burst"));
        Assert.Equal("1", f.Read("", "cpu.idle"));
        Assert.Equal("0-1", f.Read("", "cpuset.cpus"));
        Assert.Equal("0", f.Read("", "cpuset.mems"));
        Assert.Equal(["default 4950", "8:0 910"], f.Writes("", "io.weight")); // blkio 500 and 100 converted
        Assert.Equal(["8:0 rbps=600", "8:0 wbps=700", "8:16 riops=300", "8:16 wiops=400"], f.Writes("", "io.max"));
        Assert.Equal("209715200", f.Read("", "hugetlb.2MB.max"));
        Assert.Equal("209715200", f.Read("", "hugetlb.2MB.rsvd.max"));
        Assert.Equal("0", f.Read("", "hugetlb.1GB.max"));
        Assert.Equal("mlx5_1 hca_handle=3 hca_object=10000", f.Read("", "rdma.max"));
        Assert.Equal("50000000", f.Read("", "memory.high"));
        Assert.Equal("1", f.Read("", "memory.oom.group"));
        // runc's fs2 order, unified last.
        Assert.Equal(
            ["pids.max", "memory.swap.max", "memory.max", "memory.low", "io.weight", "io.weight", "io.max", "io.max", "io.max", "io.max",
             "cpu.idle", "cpu.weight", "cpu.max.burst", "cpu.max", "cpuset.cpus", "cpuset.mems", "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max",
             "hugetlb.1GB.max", "rdma.max", "memory.high", "memory.oom.group"],
            f.Order());
    }

    [Theory]
    [InlineData(-1L, null, "max", "max")]                // unlimited memory, swap unset → both unlimited
    [InlineData(67108864L, -1L, "67108864", "max")]
    [InlineData(67108864L, 67108864L, "67108864", "0")]  // memory+swap == memory: no swap
    [InlineData(67108864L, null, "67108864", null)]
    public void MemoryAndSwap(long limit, long? swap, string max, string? swapMax)
    {
        using var f = Full();
        f.ApplyV2(new LinuxResources { Memory = new LinuxMemory { Limit = limit, Swap = swap } });
        Assert.Equal(max, f.Read("", "memory.max"));
        Assert.Equal(swapMax ?? "", f.Read("", "memory.swap.max"));
    }

    [Fact]
    public void SwapBelowLimitFailsBeforeAnyWrite()
    {
        using var f = Full();
        var e = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Pids = new LinuxPids { Limit = 1 }, Memory = new LinuxMemory { Limit = 2048, Swap = 1024 } }));
        Assert.Equal("linux.resources.memory.swap: memory+swap limit 1024 is below linux.resources.memory.limit 2048", e.Message);
        Assert.Empty(f.Journal);
    }

    [Fact]
    public void MissingSwapFileIsFineForMaxButNotForALimit()
    {
        using var f = CgroupResourceFixture.V2(All);
        f.Touch("", "memory.max");
        f.ApplyV2(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
        Assert.Equal("max", f.Read("", "memory.max"));
        var e = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Memory = new LinuxMemory { Limit = 1024, Swap = 4096 } }));
        Assert.Equal($"linux.resources.memory.swap: write 3072 to {f.Dir("")}/memory.swap.max: no such file or directory (ENOENT)", e.Message);
    }

    [Fact]
    public void CheckBeforeUpdateUsesMemoryCurrent()
    {
        using var f = Full();
        f.Touch("", "memory.current=100000000\n");
        var e = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, CheckBeforeUpdate = true } }));
        Assert.Equal("linux.resources.memory.limit: rejecting memory limit 67108864: current usage is 100000000 bytes (checkBeforeUpdate)", e.Message);
        // Best effort: without memory.current the check is skipped.
        File.Delete(Path.Combine(f.Dir(""), "memory.current"));
        f.ApplyV2(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, CheckBeforeUpdate = true } });
        Assert.Equal("67108864", f.Read("", "memory.max"));
    }

    [Fact]
    public void V1OnlySettingsAreWarnings()
    {
        using var f = Full();
        var warnings = f.ApplyV2(new LinuxResources
        {
            Memory = new LinuxMemory { Swappiness = 60, Kernel = 1 << 20, KernelTCP = 1 << 20, DisableOOMKiller = true, UseHierarchy = false },
            Cpu = new LinuxCpu { RealtimePeriod = 1000000, RealtimeRuntime = 950000 },
            BlockIO = new LinuxBlockIO { LeafWeight = 300 },
            Network = new LinuxNetwork { ClassID = 1 },
        });
        Assert.Equal(
            [
                "linux.resources.memory.swappiness", "linux.resources.memory.kernel", "linux.resources.memory.kernelTCP",
                "linux.resources.memory.disableOOMKiller", "linux.resources.memory.useHierarchy", "linux.resources.blockIO.leafWeight",
                "linux.resources.cpu.realtimePeriod/realtimeRuntime", "linux.resources.network",
            ],
            warnings.Select(w => w[..w.IndexOf(':')]));
        Assert.All(warnings, w => Assert.Contains(": ignored: ", w));
        Assert.Empty(f.Journal);
    }

    [Fact]
    public void QuotaAndPeriodAlone()
    {
        using var f = Full();
        f.ApplyV2(new LinuxResources { Cpu = new LinuxCpu { Quota = 20000 } });
        Assert.Equal("20000 100000", f.Read("", "cpu.max"));
        f.ApplyV2(new LinuxResources { Cpu = new LinuxCpu { Period = 250000 } });
        Assert.Equal("max 250000", f.Read("", "cpu.max"));
        f.ApplyV2(new LinuxResources { Cpu = new LinuxCpu { Quota = -1, Period = 50000 } });
        Assert.Equal("max 50000", f.Read("", "cpu.max"));
        f.ApplyV2(new LinuxResources { Cpu = new LinuxCpu { Shares = 2 } });
        Assert.Equal("1", f.Read("", "cpu.weight"));
        f.ApplyV2(new LinuxResources { Cpu = new LinuxCpu { Shares = 262144 } });
        Assert.Equal("10000", f.Read("", "cpu.weight"));
    }

    [Fact]
    public void BfqWeightWhenIoWeightIsMissing()
    {
        using var f = CgroupResourceFixture.V2(All);
        f.Touch("", "io.bfq.weight", "io.max");
        f.ApplyV2(new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 500, WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 100 }] } });
        Assert.Equal(["500", "8:0 100"], f.Writes("", "io.bfq.weight")); // BFQ uses the blkio scale: no conversion
        File.Delete(Path.Combine(f.Dir(""), "io.bfq.weight"));
        var e = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 500 } }));
        Assert.StartsWith("linux.resources.blockIO.weight: neither io.weight nor io.bfq.weight exists in ", e.Message);
    }

    [Fact]
    public void ControllerNotEnabledIsAnErrorNamingTheField()
    {
        using var f = CgroupResourceFixture.V2("cpu pids");
        f.Touch("", "pids.max", "cpu.weight");
        var memory = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20 } }));
        Assert.Equal($"linux.resources.memory: the memory controller is not enabled for {f.Dir("")} (its cgroup.controllers lists: cpu pids)", memory.Message);
        var hugetlb = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 1 }] }));
        Assert.StartsWith("linux.resources.hugepageLimits: the hugetlb controller is not enabled for ", hugetlb.Message);
        var io = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 100 } }));
        Assert.StartsWith("linux.resources.blockIO: the io controller is not enabled for ", io.Message);
        var cpuset = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Cpu = new LinuxCpu { Cpus = "0" } }));
        Assert.StartsWith("linux.resources.cpu.cpus: the cpuset controller is not enabled for ", cpuset.Message);
    }

    [Fact]
    public void UnsupportedHugepageSize()
    {
        using var f = Full();
        var e = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "64KB", Limit = 1 }] }));
        Assert.Equal($"linux.resources.hugepageLimits[0].pageSize: hugepage size 64KB is not supported on this host ({f.Dir("")}/hugetlb.64KB.max does not exist)", e.Message);
    }

    [Fact]
    public void UnifiedMapWritesLineByLineAndChecksKeys()
    {
        using var f = Full();
        f.ApplyV2(new LinuxResources { Unified = new() { ["io.max"] = "259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120\n" } });
        Assert.Equal(["259:0 rbps=2097152 wiops=120", "253:0 rbps=2097152 wiops=120"], f.Writes("", "io.max"));

        var slash = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Unified = new() { ["../memory.max"] = "1" } }));
        Assert.Equal("linux.resources.unified[\"../memory.max\"]: must be a plain cgroup file name (no '/')", slash.Message);
        var dots = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Unified = new() { [".."] = "1" } }));
        Assert.StartsWith("linux.resources.unified[\"..\"]: must be a plain cgroup file name", dots.Message);

        var unknown = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Unified = new() { ["memory.nonexistent"] = "1" } }));
        Assert.Equal($"linux.resources.unified[\"memory.nonexistent\"]: write 1 to {f.Dir("")}/memory.nonexistent: no such file or directory (ENOENT)", unknown.Message);
    }

    [Fact]
    public void UnifiedKeyForAControllerNotEnabled()
    {
        using var f = CgroupResourceFixture.V2("cpu pids");
        var e = Assert.Throws<CgroupException>(() => f.ApplyV2(new LinuxResources { Unified = new() { ["memory.high"] = "1000" } }));
        Assert.Equal($"linux.resources.unified[\"memory.high\"]: the memory controller is not enabled for {f.Dir("")} (its cgroup.controllers lists: cpu pids)", e.Message);
        // Core cgroup files need no controller.
        f.Touch("", "cgroup.max.depth");
        f.ApplyV2(new LinuxResources { Unified = new() { ["cgroup.max.depth"] = "3" } });
        Assert.Equal("3", f.Read("", "cgroup.max.depth"));
    }

    [Fact]
    public void ManagerAppliesThroughTheInterface()
    {
        using var f = Full();
        ICgroupManager manager = CgroupManagerFactory.FromPaths(f.Host, f.Paths);
        var warnings = manager.ApplyResources(new LinuxResources { Pids = new LinuxPids { Limit = 7 }, Memory = new LinuxMemory { Swappiness = 1 } });
        Assert.Equal("7", f.Read("", "pids.max"));
        Assert.Single(warnings);
        Assert.Equal(warnings, manager.Warnings);
    }
}
