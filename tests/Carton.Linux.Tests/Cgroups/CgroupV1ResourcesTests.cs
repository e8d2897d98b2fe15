using Carton.Linux.Cgroups;
using Carton.Oci;

namespace Carton.Linux.Tests.Cgroups;

/// <summary>linux.resources on cgroup v1 directories of a fake tree: exact file contents, write order, warnings and errors.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupV1ResourcesTests
{
    private const string Unlimited = "9223372036854771712";
    private static readonly string[] MemoryFiles =
    [
        "memory.limit_in_bytes=" + Unlimited, "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes=" + Unlimited,
        "memory.swappiness", "memory.oom_control", "memory.use_hierarchy", "memory.kmem.limit_in_bytes",
        "memory.kmem.tcp.limit_in_bytes", "memory.usage_in_bytes=1000000",
    ];

    [Fact]
    public void MemoryRaisingWritesSwapBeforeLimitAndEveryKnob()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        f.Touch("memory", MemoryFiles);
        var warnings = f.ApplyV1(new LinuxResources
        {
            Memory = new LinuxMemory
            {
                Limit = 64 << 20, Reservation = 32 << 20, Swap = 128 << 20, Kernel = 16 << 20, KernelTCP = 8 << 20,
                Swappiness = 10, DisableOOMKiller = true, UseHierarchy = true, CheckBeforeUpdate = true,
            },
        });
        Assert.Empty(warnings);
        Assert.Equal("67108864", f.Read("memory", "memory.limit_in_bytes"));
        Assert.Equal("134217728", f.Read("memory", "memory.memsw.limit_in_bytes"));
        Assert.Equal("33554432", f.Read("memory", "memory.soft_limit_in_bytes"));
        Assert.Equal("16777216", f.Read("memory", "memory.kmem.limit_in_bytes"));
        Assert.Equal("8388608", f.Read("memory", "memory.kmem.tcp.limit_in_bytes"));
        Assert.Equal("10", f.Read("memory", "memory.swappiness"));
        Assert.Equal("1", f.Read("memory", "memory.oom_control"));
        Assert.Equal("1", f.Read("memory", "memory.use_hierarchy"));
        // The current limit (unlimited) is not below the new memory+swap, so the limit goes first, then memsw.
        Assert.Equal(["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"], f.Order().Take(2));
    }

    [Fact]
    public void MemorySwapAboveTheCurrentLimitGoesFirst()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        f.Touch("memory", MemoryFiles);
        f.Touch("memory", "memory.limit_in_bytes=33554432\n"); // current limit 32 MiB, raising to 64 MiB + swap
        f.ApplyV1(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, Swap = 128 << 20 } });
        Assert.Equal(["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"], f.Order());
        Assert.Equal("67108864", f.Read("memory", "memory.limit_in_bytes"));
        Assert.Equal("134217728", f.Read("memory", "memory.memsw.limit_in_bytes"));
    }

    [Fact]
    public void UnlimitedMemoryAlsoLiftsSwapFirst()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        f.Touch("memory", MemoryFiles);
        f.ApplyV1(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
        Assert.Equal([("memory.memsw.limit_in_bytes", "-1"), ("memory.limit_in_bytes", "-1")],
            f.Journal.Select(j => (Path.GetFileName(j.Path), j.Value)));
    }

    [Fact]
    public void MemoryLimitAloneLeavesSwapAlone()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        f.Touch("memory", MemoryFiles);
        f.ApplyV1(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20 } });
        Assert.Equal(["memory.limit_in_bytes"], f.Order());
        Assert.Equal("1048576", f.Read("memory", "memory.limit_in_bytes"));
    }

    [Fact]
    public void CheckBeforeUpdateRefusesALimitBelowUsage()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        f.Touch("memory", MemoryFiles);
        f.Touch("memory", "memory.usage_in_bytes=100000000\n");
        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, CheckBeforeUpdate = true } }));
        Assert.Equal("linux.resources.memory.limit: rejecting memory limit 67108864: current usage is 100000000 bytes (checkBeforeUpdate)", e.Message);
        Assert.Empty(f.Journal);
        // Without the flag the limit is written (the kernel itself decides).
        f.ApplyV1(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 } });
        Assert.Equal("67108864", f.Read("memory", "memory.limit_in_bytes"));
    }

    [Fact]
    public void SwapWithoutSwapAccountingIsAnError()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        f.Touch("memory", "memory.limit_in_bytes=" + Unlimited);
        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20, Swap = 2 << 20 } }));
        Assert.StartsWith("linux.resources.memory.swap: ", e.Message);
        Assert.Contains("memory.memsw.limit_in_bytes does not exist", e.Message);
    }

    [Fact]
    public void MissingKernelMemoryFilesAreWarnings()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        f.Touch("memory", "memory.limit_in_bytes=" + Unlimited);
        var warnings = f.ApplyV1(new LinuxResources { Memory = new LinuxMemory { Kernel = 1 << 20, KernelTCP = 1 << 20 } });
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("linux.resources.memory.kernel: ignored: ", warnings[0]);
        Assert.EndsWith("memory.kmem.limit_in_bytes does not exist (kernel memory limits were removed in Linux 6.1)", warnings[0]);
        Assert.StartsWith("linux.resources.memory.kernelTCP: ignored: ", warnings[1]);
        Assert.Empty(f.Journal);
    }

    [Fact]
    public void SwappinessAbove100IsRefusedBeforeAnyWrite()
    {
        using var f = CgroupResourceFixture.V1("", "memory", "pids");
        f.Touch("memory", MemoryFiles);
        f.Touch("pids", "pids.max");
        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Pids = new LinuxPids { Limit = 5 }, Memory = new LinuxMemory { Swappiness = 101 } }));
        Assert.Equal("linux.resources.memory.swappiness: 101 is out of range (0-100)", e.Message);
        Assert.Empty(f.Journal);
    }

    [Fact]
    public void CpuAndCpusetFiles()
    {
        using var f = CgroupResourceFixture.V1("", "cpu,cpuacct", "cpuset");
        f.Touch("cpu,cpuacct", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle");
        f.Touch("cpuset", "cpuset.cpus", "cpuset.mems");
        var warnings = f.ApplyV1(new LinuxResources
        {
            Cpu = new LinuxCpu
            {
                Shares = 512, Quota = 50000, Period = 100000, Burst = 10000, RealtimePeriod = 1000000, RealtimeRuntime = 950000,
                Cpus = "0-1", Mems = "0", Idle = 0,
            },
        });
        Assert.Empty(warnings);
        Assert.Equal("512", f.Read("cpu,cpuacct", "cpu.shares"));
        Assert.Equal("100000", f.Read("cpu,cpuacct", "cpu.cfs_period_us"));
        Assert.Equal("50000", f.Read("cpu,cpuacct", "cpu.cfs_quota_us"));
        Assert.Equal("10000", f.Read("cpu,cpuacct", "cpu.cfs_burst_us"));
        Assert.Equal("1000000", f.Read("cpu,cpuacct", "cpu.rt_period_us"));
        Assert.Equal("950000", f.Read("cpu,cpuacct", "cpu.rt_runtime_us"));
        Assert.Equal("0", f.Read("cpu,cpuacct", "cpu.idle"));
        Assert.Equal("0-1", f.Read("cpuset", "cpuset.cpus"));
        Assert.Equal("0", f.Read("cpuset", "cpuset.mems"));
        Assert.Equal(["cpuset.cpus", "cpuset.mems", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_burst_us", "cpu.cfs_quota_us", "cpu.idle", "cpu.rt_period_us", "cpu.rt_runtime_us"], f.Order());
    }

    [Fact]
    public void NegativeQuotaIsUnlimitedAndMissingBurstIsAWarning()
    {
        using var f = CgroupResourceFixture.V1("", "cpu");
        f.Touch("cpu", "cpu.cfs_quota_us", "cpu.shares");
        var warnings = f.ApplyV1(new LinuxResources { Cpu = new LinuxCpu { Quota = -1, Burst = 5 } });
        Assert.Equal("-1", f.Read("cpu", "cpu.cfs_quota_us"));
        var warning = Assert.Single(warnings);
        Assert.StartsWith("linux.resources.cpu.burst: ignored: ", warning);
    }

    [Theory]
    [InlineData(20L, "20")]
    [InlineData(0L, "max")]
    [InlineData(-1L, "max")]
    public void Pids(long limit, string expected)
    {
        using var f = CgroupResourceFixture.V1("", "pids");
        f.Touch("pids", "pids.max");
        f.ApplyV1(new LinuxResources { Pids = new LinuxPids { Limit = limit } });
        Assert.Equal(expected, f.Read("pids", "pids.max"));
    }

    private static LinuxBlockIO FullBlockIO() => new()
    {
        Weight = 500, LeafWeight = 300,
        WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 600, LeafWeight = 200 }, new LinuxWeightDevice { Major = 8, Minor = 16, Weight = 700 }],
        ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 600 }],
        ThrottleWriteBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 700 }],
        ThrottleReadIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 300 }],
        ThrottleWriteIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 400 }, new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 50 }],
    };

    [Fact]
    public void BlkioWithCfqFiles()
    {
        using var f = CgroupResourceFixture.V1("", "blkio");
        f.Touch("blkio", "blkio.weight", "blkio.leaf_weight", "blkio.weight_device", "blkio.leaf_weight_device",
            "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device");
        Assert.Empty(f.ApplyV1(new LinuxResources { BlockIO = FullBlockIO() }));
        Assert.Equal("500", f.Read("blkio", "blkio.weight"));
        Assert.Equal("300", f.Read("blkio", "blkio.leaf_weight"));
        Assert.Equal(["8:0 600", "8:16 700"], f.Writes("blkio", "blkio.weight_device"));
        Assert.Equal(["8:0 200"], f.Writes("blkio", "blkio.leaf_weight_device"));
        Assert.Equal(["8:0 600"], f.Writes("blkio", "blkio.throttle.read_bps_device"));
        Assert.Equal(["8:0 700"], f.Writes("blkio", "blkio.throttle.write_bps_device"));
        Assert.Equal(["8:16 300"], f.Writes("blkio", "blkio.throttle.read_iops_device"));
        Assert.Equal(["8:16 400", "8:0 50"], f.Writes("blkio", "blkio.throttle.write_iops_device"));
    }

    [Fact]
    public void BlkioFallsBackToBfqWhenCfqIsGone()
    {
        using var f = CgroupResourceFixture.V1("", "blkio");
        f.Touch("blkio", "blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.throttle.read_bps_device");
        Assert.Empty(f.ApplyV1(new LinuxResources
        {
            BlockIO = new LinuxBlockIO
            {
                Weight = 500, WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 600 }],
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 253, Minor = 0, Rate = 1048576 }],
            },
        }));
        Assert.Equal("500", f.Read("blkio", "blkio.bfq.weight"));
        Assert.Equal("8:0 600", f.Read("blkio", "blkio.bfq.weight_device"));
        Assert.Equal("253:0 1048576", f.Read("blkio", "blkio.throttle.read_bps_device"));
        Assert.False(File.Exists(Path.Combine(f.Dir("blkio"), "blkio.weight")));

        // leaf weights have no BFQ file: an error naming the field (runc fails the same way).
        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { BlockIO = new LinuxBlockIO { LeafWeight = 100 } }));
        Assert.Equal($"linux.resources.blockIO.leafWeight: write 100 to {f.Dir("blkio")}/blkio.leaf_weight: no such file or directory (ENOENT)", e.Message);
    }

    [Fact]
    public void HugetlbLimitsIncludingReservations()
    {
        using var f = CgroupResourceFixture.V1("", "hugetlb");
        f.Touch("hugetlb", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes", "hugetlb.1GB.limit_in_bytes");
        f.ApplyV1(new LinuxResources
        {
            HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 209715200 }, new LinuxHugepageLimit { Pagesize = "1GB", Limit = 1073741824 }],
        });
        Assert.Equal("209715200", f.Read("hugetlb", "hugetlb.2MB.limit_in_bytes"));
        Assert.Equal("209715200", f.Read("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes"));
        Assert.Equal("1073741824", f.Read("hugetlb", "hugetlb.1GB.limit_in_bytes"));

        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "64KB", Limit = 1 }] }));
        Assert.StartsWith("linux.resources.hugepageLimits[0].pageSize: hugepage size 64KB is not supported on this host", e.Message);
        var bad = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "../2MB", Limit = 1 }] }));
        Assert.Equal("linux.resources.hugepageLimits[0].pageSize: \"../2MB\" is not a hugepage size such as 2MB or 1GB", bad.Message);
    }

    [Fact]
    public void HybridHostWithHugetlbOnlyInTheUnifiedTree()
    {
        using var f = CgroupResourceFixture.V1("hugetlb", "memory");
        f.Touch("", "hugetlb.2MB.max", "hugetlb.1GB.max");
        var subtree = Path.Combine(f.Tree.Root, "unified", "cgroup.subtree_control");
        var limits = new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 4194304 }] };
        // Not delegated to the container's parent: an error, and the host-wide setting is left alone.
        File.WriteAllText(subtree, "");
        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(limits));
        Assert.StartsWith("linux.resources.hugepageLimits: on this hybrid host hugetlb exists only in the cgroup v2 hierarchy", e.Message);
        Assert.Equal("", File.ReadAllText(subtree));
        // Delegated by the host: the limit goes to the container's cgroup2 directory in v2 form.
        File.WriteAllText(subtree, "hugetlb");
        Assert.Empty(f.ApplyV1(limits));
        Assert.Equal("4194304", f.Read("", "hugetlb.2MB.max"));
        Assert.Equal("hugetlb", File.ReadAllText(subtree));
    }

    [Fact]
    public void MissingControllersAreErrorsNamingTheField()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        var hugetlb = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 1 }] }));
        Assert.Equal("linux.resources.hugepageLimits: the hugetlb controller is not mounted on this host", hugetlb.Message);
        var pids = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Pids = new LinuxPids { Limit = 1 } }));
        Assert.Equal("linux.resources.pids: the pids controller is not mounted on this host", pids.Message);
        var rdma = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Rdma = new() { ["mlx5_1"] = new LinuxRdma { HcaHandles = 1 } } }));
        Assert.Equal("linux.resources.rdma: the rdma controller is not mounted on this host", rdma.Message);
        var cpus = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Cpu = new LinuxCpu { Cpus = "0" } }));
        Assert.Equal("linux.resources.cpu.cpus: the cpuset controller is not mounted on this host", cpus.Message);
        // Empty sections need no controller.
        Assert.Empty(f.ApplyV1(new LinuxResources { Cpu = new LinuxCpu(), Pids = new LinuxPids(), BlockIO = new LinuxBlockIO(), Network = new LinuxNetwork(), HugepageLimits = [] }));
    }

    [Fact]
    public void ControllerMountedButNotInThePathsIsNamedToo()
    {
        using var f = CgroupResourceFixture.V1("", "memory", "pids");
        var paths = f.Paths.Where(p => p.Key != "pids").ToDictionary(p => p.Key, p => p.Value);
        var e = Assert.Throws<CgroupException>(() => CgroupV1Resources.Apply(f.Host, paths, new LinuxResources { Pids = new LinuxPids { Limit = 3 } }));
        Assert.Equal($"linux.resources.pids: the container has no cgroup in the pids hierarchy ({Path.Combine(f.Tree.Root, "pids")})", e.Message);
    }

    [Fact]
    public void WriteFailuresCarryFieldPathAndErrno()
    {
        using var f = CgroupResourceFixture.V1("", "pids", "memory");
        Directory.CreateDirectory(Path.Combine(f.Dir("pids"), "pids.max")); // every write fails with EISDIR
        var e = Assert.Throws<CgroupException>(() => CgroupV1Resources.Apply(f.Host, f.Paths, new LinuxResources { Pids = new LinuxPids { Limit = 20 } }));
        Assert.Equal($"linux.resources.pids.limit: write 20 to {f.Dir("pids")}/pids.max: is a directory (EISDIR)", e.Message);
        Assert.Equal(Carton.Linux.Interop.Errno.EISDIR, e.Errno);
        Assert.Equal(Path.Combine(f.Dir("pids"), "pids.max"), e.Path);

        var missing = Assert.Throws<CgroupException>(() => CgroupV1Resources.Apply(f.Host, f.Paths, new LinuxResources { Memory = new LinuxMemory { Reservation = 1048576 } }));
        Assert.Equal($"linux.resources.memory.reservation: write 1048576 to {f.Dir("memory")}/memory.soft_limit_in_bytes: no such file or directory (ENOENT)", missing.Message);
    }

    [Fact]
    public void NetClsAndNetPrio()
    {
        using var f = CgroupResourceFixture.V1("", "net_cls,net_prio");
        f.Touch("net_cls,net_prio", "net_cls.classid", "net_prio.ifpriomap");
        f.ApplyV1(new LinuxResources
        {
            Network = new LinuxNetwork
            {
                ClassID = 1048577,
                Priorities = [new LinuxInterfacePriority { Name = "eth0", Priority = 500 }, new LinuxInterfacePriority { Name = "eth1", Priority = 1000 }],
            },
        });
        Assert.Equal("1048577", f.Read("net_cls,net_prio", "net_cls.classid"));
        Assert.Equal(["eth0 500", "eth1 1000"], f.Writes("net_cls,net_prio", "net_prio.ifpriomap"));
    }

    [Fact]
    public void RdmaLimits()
    {
        using var f = CgroupResourceFixture.V1("", "rdma");
        f.Touch("rdma", "rdma.max");
        f.ApplyV1(new LinuxResources
        {
            Rdma = new()
            {
                ["mlx5_1"] = new LinuxRdma { HcaHandles = 3, HcaObjects = 10000 },
                ["mlx4_0"] = new LinuxRdma { HcaObjects = 1000 },
                ["rxe3"] = new LinuxRdma { HcaHandles = 7 },
            },
        });
        Assert.Equal(["mlx4_0 hca_object=1000", "mlx5_1 hca_handle=3 hca_object=10000", "rxe3 hca_handle=7"], f.Writes("rdma", "rdma.max"));
        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Rdma = new() { ["mlx5_1"] = new LinuxRdma() } }));
        Assert.Equal("linux.resources.rdma[\"mlx5_1\"]: needs hcaHandles or hcaObjects", e.Message);
    }

    [Fact]
    public void DevicesDenyAllThenReplayRulesInOrder()
    {
        using var f = CgroupResourceFixture.V1("", "devices");
        f.Touch("devices", "devices.allow", "devices.deny");
        f.ApplyV1(new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 136, Access = "rw" },
                new LinuxDeviceCgroup { Allow = false, Type = "b", Major = 8, Minor = 0, Access = "m" },
                new LinuxDeviceCgroup { Allow = true, Type = "a" },
            ],
        });
        Assert.Equal(
            [
                ("devices.deny", "a"), ("devices.deny", "a *:* rwm"), ("devices.allow", "c 1:3 rwm"),
                ("devices.allow", "c 136:* rw"), ("devices.deny", "b 8:0 m"), ("devices.allow", "a *:* rwm"),
            ],
            f.Journal.Select(j => (Path.GetFileName(j.Path), j.Value)));
    }

    [Fact]
    public void UnifiedMapIsAnErrorOnV1()
    {
        using var f = CgroupResourceFixture.V1("", "memory");
        var e = Assert.Throws<CgroupException>(() => f.ApplyV1(new LinuxResources { Unified = new() { ["memory.high"] = "1000000" } }));
        Assert.StartsWith("linux.resources.unified: requires cgroup v2", e.Message);
        Assert.Empty(f.ApplyV1(new LinuxResources { Unified = [] }));
    }
}
