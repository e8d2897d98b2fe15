using Carton.Oci;
using System.Text.Json;
using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Stats;

namespace Carton.Linux.Tests.Cgroups.Stats;

/// <summary>CgroupStatsReader against fake trees holding sample files copied from real v1, hybrid and v2 hosts.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupStatsFakeTreeTests
{
    private const string V1MemoryStat = """
        cache 1048576
        rss 2097152
        rss_huge 0
        shmem 0
        mapped_file 524288
        dirty 4096
        writeback 0
        swap 0
        pgpgin 1523
        pgpgout 755
        pgfault 2310
        pgmajfault 3
        inactive_anon 0
        active_anon 2097152
        inactive_file 786432
        active_file 262144
        unevictable 0
        hierarchical_memory_limit 9223372036854771712
        hierarchical_memsw_limit 9223372036854771712
        total_cache 1048576
        total_rss 2097152
        total_pgfault 2310

        """;

    private const string V2MemoryStat = """
        anon 2097152
        file 1048576
        kernel 262144
        kernel_stack 16384
        pagetables 49152
        sec_pagetables 0
        percpu 480
        sock 0
        vmalloc 0
        shmem 0
        zswap 0
        zswapped 0
        file_mapped 524288
        file_dirty 0
        file_writeback 0
        swapcached 0
        anon_thp 0
        inactive_anon 2080768
        active_anon 16384
        inactive_file 786432
        active_file 262144
        unevictable 0
        slab_reclaimable 98304
        slab_unreclaimable 65536
        slab 163840
        workingset_refault_anon 0
        pgfault 2310
        pgmajfault 3
        oom_kill_placeholder_not_a_real_key 0

        """;

    /// <summary>A hybrid host: v1 memory, cpu, cpuacct, pids, blkio, cpuset; cgroup2 with hugetlb only (like the test host).</summary>
    private static (FakeCgroupTree Tree, CgroupHost Host, Dictionary<string, string> Paths) Hybrid()
    {
        var tree = new FakeCgroupTree();
        var paths = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["memory"] = tree.AddV1("memory", "memory") + "/ctr",
            ["cpu"] = tree.AddV1("cpu", "cpu") + "/ctr",
            ["cpuacct"] = tree.AddV1("cpuacct", "cpuacct") + "/ctr",
            ["pids"] = tree.AddV1("pids", "pids") + "/ctr",
            ["blkio"] = tree.AddV1("blkio", "blkio") + "/ctr",
            ["cpuset"] = tree.AddV1("cpuset", "cpuset") + "/ctr",
            [""] = tree.AddUnified("unified", "hugetlb") + "/ctr",
        };
        foreach (var dir in paths.Values) Directory.CreateDirectory(dir);
        return (tree, tree.Host(), paths);
    }

    private static void WriteHybridSamples(FakeCgroupTree tree)
    {
        tree.Write("cpuacct/ctr/cpuacct.usage", "19876543210\n");
        tree.Write("cpuacct/ctr/cpuacct.usage_percpu", "9876543210 10000000000 \n");
        tree.Write("cpuacct/ctr/cpuacct.usage_all", "cpu user system\n0 7000000000 2876543210\n1 8000000000 2000000000\n");
        tree.Write("cpuacct/ctr/cpuacct.stat", "user 1234\nsystem 567\n");
        tree.Write("cpu/ctr/cpu.stat", "nr_periods 120\nnr_throttled 7\nthrottled_time 350000000\nnr_bursts 0\nburst_time 0\n");

        tree.Write("memory/ctr/memory.stat", V1MemoryStat);
        tree.Write("memory/ctr/memory.usage_in_bytes", "3145728\n");
        tree.Write("memory/ctr/memory.max_usage_in_bytes", "4194304\n");
        tree.Write("memory/ctr/memory.limit_in_bytes", "9223372036854771712\n");
        tree.Write("memory/ctr/memory.failcnt", "0\n");
        tree.Write("memory/ctr/memory.memsw.usage_in_bytes", "3145728\n");
        tree.Write("memory/ctr/memory.memsw.max_usage_in_bytes", "4194304\n");
        tree.Write("memory/ctr/memory.memsw.limit_in_bytes", "9223372036854771712\n");
        tree.Write("memory/ctr/memory.memsw.failcnt", "0\n");
        tree.Write("memory/ctr/memory.kmem.usage_in_bytes", "262144\n");
        tree.Write("memory/ctr/memory.kmem.max_usage_in_bytes", "393216\n");
        tree.Write("memory/ctr/memory.kmem.limit_in_bytes", "9223372036854771712\n");
        tree.Write("memory/ctr/memory.kmem.failcnt", "2\n");
        // memory.kmem.tcp.* absent: kernel without tcp accounting files
        tree.Write("memory/ctr/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");

        tree.Write("pids/ctr/pids.current", "3\n");
        tree.Write("pids/ctr/pids.max", "max\n");

        // BFQ stats exist but are empty (no I/O through BFQ yet): runc falls through to the throttle files.
        tree.Write("blkio/ctr/blkio.bfq.io_serviced_recursive", "Total 0\n");
        tree.Write("blkio/ctr/blkio.bfq.io_service_bytes_recursive", "Total 0\n");
        tree.Write("blkio/ctr/blkio.throttle.io_service_bytes_recursive",
            "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n");
        tree.Write("blkio/ctr/blkio.throttle.io_serviced_recursive",
            "8:0 Read 1\n8:0 Write 2\n8:0 Sync 3\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 3\nTotal 3\n");

        tree.Write("cpuset/ctr/cpuset.cpus", "0-1,3\n");
        tree.Write("cpuset/ctr/cpuset.mems", "0\n");
        tree.Write("cpuset/ctr/cpuset.cpu_exclusive", "0\n");
        tree.Write("cpuset/ctr/cpuset.mem_hardwall", "0\n");
        tree.Write("cpuset/ctr/cpuset.mem_exclusive", "1\n");
        tree.Write("cpuset/ctr/cpuset.memory_migrate", "0\n");
        tree.Write("cpuset/ctr/cpuset.memory_spread_page", "0\n");
        tree.Write("cpuset/ctr/cpuset.memory_spread_slab", "0\n");
        tree.Write("cpuset/ctr/cpuset.memory_pressure", "0\n");
        tree.Write("cpuset/ctr/cpuset.sched_load_balance", "1\n");
        tree.Write("cpuset/ctr/cpuset.sched_relax_domain_level", "-1\n");

        tree.Write("unified/ctr/hugetlb.2MB.current", "4194304\n");
        tree.Write("unified/ctr/hugetlb.2MB.max", "max\n");
        tree.Write("unified/ctr/hugetlb.2MB.events", "max 2\n");
        tree.Write("unified/ctr/hugetlb.2MB.rsvd.current", "0\n");
        tree.Write("unified/ctr/hugetlb.1GB.current", "0\n");
        tree.Write("unified/ctr/hugetlb.1GB.events", "max 0\n");
    }

    [Fact]
    public void HybridHostReadsV1ControllersAndHugetlbFromTheUnifiedTree()
    {
        var (tree, host, paths) = Hybrid();
        using var _ = tree;
        WriteHybridSamples(tree);
        Assert.Equal(CgroupMode.Hybrid, host.Mode);

        var stats = CgroupStatsReader.Read(host, paths);

        Assert.Equal(19876543210UL, stats.Cpu.Usage.Total);
        Assert.Equal([9876543210UL, 10000000000UL], stats.Cpu.Usage.Percpu);
        Assert.Equal([7000000000UL, 8000000000UL], stats.Cpu.Usage.PercpuUser);
        Assert.Equal([2876543210UL, 2000000000UL], stats.Cpu.Usage.PercpuKernel);
        Assert.Equal(1234UL * 10_000_000, stats.Cpu.Usage.User); // USER_HZ ticks → ns
        Assert.Equal(567UL * 10_000_000, stats.Cpu.Usage.Kernel);
        Assert.Equal(120UL, stats.Cpu.Throttling.Periods);
        Assert.Equal(7UL, stats.Cpu.Throttling.ThrottledPeriods);
        Assert.Equal(350000000UL, stats.Cpu.Throttling.ThrottledTime);

        Assert.Equal(1048576UL, stats.Memory.Cache);
        Assert.Equal(2097152UL, stats.Memory.Raw!["rss"]);
        Assert.Equal(9223372036854771712UL, stats.Memory.Raw["hierarchical_memory_limit"]);
        Assert.Equal(22, stats.Memory.Raw.Count);
        Assert.Equal(3145728UL, stats.Memory.Usage.Usage);
        Assert.Equal(4194304UL, stats.Memory.Usage.Max);
        Assert.Equal(9223372036854771712UL, stats.Memory.Usage.Limit);
        Assert.Equal(3145728UL, stats.Memory.Swap.Usage);
        Assert.Equal(262144UL, stats.Memory.Kernel.Usage);
        Assert.Equal(393216UL, stats.Memory.Kernel.Max);
        Assert.Equal(2UL, stats.Memory.Kernel.Failcnt);
        Assert.Equal(0UL, stats.Memory.KernelTcp.Usage);
        Assert.Equal(0UL, stats.Memory.KernelTcp.Limit);

        Assert.Equal(3UL, stats.Pids.Current);
        Assert.Equal(0UL, stats.Pids.Limit);

        var bytes = stats.Blkio.IoServiceBytesRecursive!;
        Assert.Equal(["8:0 Read 4096", "8:0 Write 8192", "8:0 Sync 12288", "8:0 Async 0", "8:0 Discard 0", "8:0 Total 12288"],
            bytes.Select(e => e.ToString()));
        Assert.Equal(6, stats.Blkio.IoServicedRecursive!.Count);
        Assert.Equal(3UL, stats.Blkio.IoServicedRecursive.Single(e => e.Op == "Sync").Value);
        Assert.Null(stats.Blkio.SectorsRecursive);

        Assert.Equal([0, 1, 3], stats.Cpuset.Cpus!.Select(c => (int)c));
        Assert.Equal([0], stats.Cpuset.Mems!.Select(c => (int)c));
        Assert.Equal(1UL, stats.Cpuset.MemExclusive);
        Assert.Equal(1UL, stats.Cpuset.SchedLoadBalance);
        Assert.Equal(-1L, stats.Cpuset.SchedRelaxDomainLevel);

        Assert.Equal(["1GB", "2MB"], stats.Hugetlb.Keys);
        Assert.Equal(4194304UL, stats.Hugetlb["2MB"].Usage);
        Assert.Equal(0UL, stats.Hugetlb["2MB"].Max); // cgroup2 has no max-usage file; ".max" is the limit
        Assert.Equal(2UL, stats.Hugetlb["2MB"].Failcnt);

        Assert.Equal(3, CgroupStatsReader.OomKillCount(host, paths));
    }

    [Fact]
    public void V1BlkioPrefersCfqRecursiveFilesAndReadsV1Hugetlb()
    {
        using var tree = new FakeCgroupTree();
        var blkio = tree.AddV1("blkio", "blkio") + "/c";
        var hugetlb = tree.AddV1("hugetlb", "hugetlb") + "/c";
        var paths = new Dictionary<string, string> { ["blkio"] = blkio, ["hugetlb"] = hugetlb };
        tree.Write("blkio/c/blkio.sectors_recursive", "8:16 24\n");
        tree.Write("blkio/c/blkio.io_service_time_recursive", "8:16 Read 1000\n8:16 Write 0\nTotal 1000\n");
        tree.Write("blkio/c/blkio.io_serviced_recursive", "8:16 Read 3\n8:16 Write 0\nTotal 3\n");
        tree.Write("blkio/c/blkio.io_service_bytes_recursive", "8:16 Read 12288\n8:16 Write 0\nTotal 12288\n");
        tree.Write("blkio/c/blkio.throttle.io_service_bytes_recursive", "8:16 Read 1\nTotal 1\n");
        tree.Write("hugetlb/c/hugetlb.2MB.usage_in_bytes", "2097152\n");
        tree.Write("hugetlb/c/hugetlb.2MB.max_usage_in_bytes", "4194304\n");
        tree.Write("hugetlb/c/hugetlb.2MB.failcnt", "1\n");
        tree.Write("hugetlb/c/hugetlb.2MB.rsvd.usage_in_bytes", "0\n");
        var host = tree.Host();
        Assert.Equal(CgroupMode.V1, host.Mode);

        var stats = CgroupStatsReader.Read(host, paths);

        var sectors = Assert.Single(stats.Blkio.SectorsRecursive!);
        Assert.Equal((8UL, 16UL, (string?)null, 24UL), (sectors.Major, sectors.Minor, sectors.Op, sectors.Value));
        Assert.Equal(12288UL, stats.Blkio.IoServiceBytesRecursive!.Single(e => e.Op == "Read").Value);
        Assert.Equal(1000UL, stats.Blkio.IoServiceTimeRecursive!.Single(e => e.Op == "Read").Value);
        Assert.Null(stats.Blkio.IoWaitTimeRecursive);
        var page = Assert.Single(stats.Hugetlb);
        Assert.Equal("2MB", page.Key);
        Assert.Equal((2097152UL, 4194304UL, 1UL), (page.Value.Usage, page.Value.Max, page.Value.Failcnt));
        Assert.Equal(0, CgroupStatsReader.OomKillCount(host, paths)); // no memory controller
    }

    [Fact]
    public void V1ThrottleFilesWithoutRecursiveVariantAreTheLastResort()
    {
        using var tree = new FakeCgroupTree();
        var blkio = tree.AddV1("blkio", "blkio") + "/c";
        tree.Write("blkio/c/blkio.throttle.io_service_bytes", "8:0 Read 100\n8:0 Write 200\n8:0 Total 300\nTotal 300\n");
        tree.Write("blkio/c/blkio.throttle.io_serviced", "8:0 Read 1\n8:0 Write 2\n8:0 Total 3\nTotal 3\n");
        var stats = CgroupStatsReader.Read(tree.Host(), new Dictionary<string, string> { ["blkio"] = blkio });
        Assert.Equal(200UL, stats.Blkio.IoServiceBytesRecursive!.Single(e => e.Op == "Write").Value);
        Assert.Equal(3, stats.Blkio.IoServicedRecursive!.Count);
    }

    private static (FakeCgroupTree Tree, CgroupHost Host, Dictionary<string, string> Paths) V2()
    {
        var tree = new FakeCgroupTree();
        var root = tree.AddUnified("", "cpuset cpu io memory hugetlb pids rdma misc");
        var dir = root + "/ctr";
        Directory.CreateDirectory(dir);
        return (tree, tree.Host(), new Dictionary<string, string> { [""] = dir });
    }

    private static void WriteV2Samples(FakeCgroupTree tree)
    {
        tree.Write("ctr/cpu.stat",
            "usage_usec 2500000\nuser_usec 1500000\nsystem_usec 1000000\ncore_sched.force_idle_usec 0\n" +
            "nr_periods 40\nnr_throttled 3\nthrottled_usec 120000\nnr_bursts 0\nburst_usec 0\n");
        tree.Write("ctr/memory.stat", V2MemoryStat);
        tree.Write("ctr/memory.current", "3407872\n");
        tree.Write("ctr/memory.max", "268435456\n");
        tree.Write("ctr/memory.peak", "5242880\n");
        tree.Write("ctr/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
        tree.Write("ctr/memory.swap.current", "65536\n");
        tree.Write("ctr/memory.swap.max", "max\n");
        tree.Write("ctr/memory.swap.peak", "65536\n");
        tree.Write("ctr/memory.swap.events", "high 0\nmax 0\nfail 0\n");
        tree.Write("ctr/pids.current", "2\n");
        tree.Write("ctr/pids.max", "100\n");
        tree.Write("ctr/io.stat",
            "8:0 rbytes=1048576 wbytes=2097152 rios=10 wios=20 dbytes=0 dios=0\n" +
            "253:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=512 dios=1 cost.usage=3 cost.wait=0\n");
        tree.Write("ctr/hugetlb.2MB.current", "0\n");
        tree.Write("ctr/hugetlb.2MB.max", "max\n");
        tree.Write("ctr/hugetlb.2MB.events", "max 0\n");
        tree.Write("ctr/hugetlb.2MB.rsvd.current", "0\n");
    }

    [Fact]
    public void V2FilesMapToRuncFields()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        WriteV2Samples(tree);
        Assert.Equal(CgroupMode.V2, host.Mode);

        var stats = CgroupStatsReader.Read(host, paths);

        Assert.Equal(2500000000UL, stats.Cpu.Usage.Total);
        Assert.Equal(1500000000UL, stats.Cpu.Usage.User);
        Assert.Equal(1000000000UL, stats.Cpu.Usage.Kernel);
        Assert.Null(stats.Cpu.Usage.Percpu);
        Assert.Equal((40UL, 3UL, 120000000UL),
            (stats.Cpu.Throttling.Periods, stats.Cpu.Throttling.ThrottledPeriods, stats.Cpu.Throttling.ThrottledTime));

        Assert.Equal(1048576UL, stats.Memory.Cache); // "file"
        Assert.Equal(2097152UL, stats.Memory.Raw!["anon"]);
        Assert.Equal(3407872UL, stats.Memory.Usage.Usage);
        Assert.Equal(268435456UL, stats.Memory.Usage.Limit);
        Assert.Equal(5242880UL, stats.Memory.Usage.Max);
        Assert.Equal(5UL, stats.Memory.Usage.Failcnt); // memory.events "max"
        // runc reports memory+swap like v1: swap.current + memory.current; "max" stays unlimited; no peak.
        Assert.Equal(65536UL + 3407872UL, stats.Memory.Swap.Usage);
        Assert.Equal(ulong.MaxValue, stats.Memory.Swap.Limit);
        Assert.Equal(0UL, stats.Memory.Swap.Max);

        Assert.Equal((2UL, 100UL), (stats.Pids.Current, stats.Pids.Limit));

        Assert.Equal(["8:0 Read 1048576", "8:0 Write 2097152", "8:0 Discard 0", "253:0 Read 4096", "253:0 Write 0", "253:0 Discard 512"],
            stats.Blkio.IoServiceBytesRecursive!.Select(e => e.ToString()));
        Assert.Equal(["8:0 Read 10", "8:0 Write 20", "8:0 Discard 0", "253:0 Read 1", "253:0 Write 0", "253:0 Discard 1"],
            stats.Blkio.IoServicedRecursive!.Select(e => e.ToString()));

        Assert.Equal("2MB", Assert.Single(stats.Hugetlb).Key);
        Assert.Null(stats.Cpuset.Cpus); // runc reads cpuset stats on v1 only
        Assert.Equal(1, CgroupStatsReader.OomKillCount(host, paths));
    }

    [Fact]
    public void V2PidsFallBackToCgroupProcsWhenThePidsControllerIsNotEnabled()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        tree.Write("ctr/cgroup.procs", "101\n102\n103\n");
        var stats = CgroupStatsReader.Read(host, paths);
        Assert.Equal((3UL, 0UL), (stats.Pids.Current, stats.Pids.Limit));
    }

    [Fact]
    public void MissingFilesAreSkipped()
    {
        var (tree, host, paths) = Hybrid();
        using var _ = tree;
        var stats = CgroupStatsReader.Read(host, paths);
        Assert.Equal(0UL, stats.Cpu.Usage.Total);
        Assert.Null(stats.Memory.Raw);
        Assert.Empty(stats.Hugetlb);
        Assert.Equal(0, CgroupStatsReader.OomKillCount(host, paths));

        // A whole cgroup that does not exist (container gone) reads as empty too.
        var gone = paths.ToDictionary(p => p.Key, p => p.Value + "/missing");
        Assert.Equal(0UL, CgroupStatsReader.Read(host, gone).Pids.Current);

        var json = JsonSerializer.Serialize(CgroupEvent.Stats("c1", stats), CgroupStatsJsonContext.Default.CgroupEvent);
        Assert.Equal(
            J("{'type':'stats','id':'c1','data':{'cpu':{'usage':{'kernel':0,'user':0},'throttling':{}},") +
            J("'cpuset':{'cpu_exclusive':0,'mem_hardwall':0,'mem_exclusive':0,'memory_migrate':0,'memory_spread_page':0,") +
            J("'memory_spread_slab':0,'memory_pressure':0,'sched_load_balance':0,'sched_relax_domain_level':0},") +
            J("'memory':{'usage':{'limit':0,'failcnt':0},'swap':{'limit':0,'failcnt':0},'kernel':{'limit':0,'failcnt':0},") +
            J("'kernelTCP':{'limit':0,'failcnt':0}},'pids':{},'blkio':{},'hugetlb':{},'intel_rdt':{},'network_interfaces':null}}"),
            json);
    }

    [Theory]
    [InlineData("memory/ctr/memory.usage_in_bytes", "12abc\n")]
    [InlineData("memory/ctr/memory.stat", "cache 1\nrss\n")]
    [InlineData("cpuacct/ctr/cpuacct.usage_percpu", "1 2 x\n")]
    [InlineData("cpu/ctr/cpu.stat", "nr_periods -\n")]
    [InlineData("pids/ctr/pids.current", "three\n")]
    [InlineData("blkio/ctr/blkio.throttle.io_serviced_recursive", "8:0 Read\n8:0 Write 1 2 3\n")]
    [InlineData("cpuset/ctr/cpuset.cpus", "3-1\n")]
    [InlineData("unified/ctr/hugetlb.2MB.current", "lots\n")]
    public void MalformedContentNamesTheFile(string file, string content)
    {
        var (tree, host, paths) = Hybrid();
        using var _ = tree;
        tree.Write(file, content);
        var e = Assert.Throws<CgroupException>(() => CgroupStatsReader.Read(host, paths));
        Assert.Contains(tree.Path_(file), e.Message);
    }

    [Fact]
    public void MalformedIoStatNamesTheFile()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        tree.Write("ctr/io.stat", "8:x rbytes=1\n");
        Assert.Contains(tree.Path_("ctr/io.stat"), Assert.Throws<CgroupException>(() => CgroupStatsReader.Read(host, paths)).Message);
        tree.Write("ctr/io.stat", "8:0 rbytes=many\n");
        Assert.Contains("io.stat", Assert.Throws<CgroupException>(() => CgroupStatsReader.Read(host, paths)).Message);
    }

    [Fact]
    public void JsonUsesRuncFieldNamesAndOmitsEmptyValues()
    {
        var (tree, host, paths) = Hybrid();
        using var _ = tree;
        WriteHybridSamples(tree);
        var json = JsonSerializer.Serialize(CgroupEvent.Stats("ctr-1", CgroupStatsReader.Read(host, paths)), CgroupStatsJsonContext.Default.CgroupEvent);
        Assert.DoesNotContain('\n', json);

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(["type", "id", "data"], root.EnumerateObject().Select(p => p.Name));
        var data = root.GetProperty("data");
        Assert.Equal(["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"],
            data.EnumerateObject().Select(p => p.Name));

        var cpu = data.GetProperty("cpu");
        Assert.Equal(["total", "percpu", "percpu_kernel", "percpu_user", "kernel", "user"],
            cpu.GetProperty("usage").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["periods", "throttledPeriods", "throttledTime"], cpu.GetProperty("throttling").EnumerateObject().Select(p => p.Name));
        Assert.Equal(12340000000UL, cpu.GetProperty("usage").GetProperty("user").GetUInt64());

        var memory = data.GetProperty("memory");
        Assert.Equal(["cache", "usage", "swap", "kernel", "kernelTCP", "raw"], memory.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["limit", "usage", "max", "failcnt"], memory.GetProperty("usage").EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"limit":0,"failcnt":0}""", memory.GetProperty("kernelTCP").GetRawText());
        // Go's encoding/json writes map keys sorted.
        var raw = memory.GetProperty("raw").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(raw.Order(StringComparer.Ordinal), raw);

        Assert.Equal("""{"current":3}""", data.GetProperty("pids").GetRawText()); // "max" → limit 0 → omitted
        var blkio = data.GetProperty("blkio");
        Assert.Equal(["ioServiceBytesRecursive", "ioServicedRecursive"], blkio.EnumerateObject().Select(p => p.Name));
        // Go's omitempty drops minor 0 and value 0, so runc prints these entries this way too.
        Assert.Equal("""{"major":8,"op":"Read","value":4096}""", blkio.GetProperty("ioServiceBytesRecursive")[0].GetRawText());
        Assert.Equal("""{"major":8,"op":"Async"}""", blkio.GetProperty("ioServiceBytesRecursive")[3].GetRawText());

        Assert.Equal(J("{'cpus':[0,1,3],'cpu_exclusive':0,'mems':[0],'mem_hardwall':0,'mem_exclusive':1,'memory_migrate':0,") +
            J("'memory_spread_page':0,'memory_spread_slab':0,'memory_pressure':0,'sched_load_balance':1,'sched_relax_domain_level':-1}"),
            data.GetProperty("cpuset").GetRawText());
        Assert.Equal("""{"1GB":{"failcnt":0},"2MB":{"usage":4194304,"failcnt":2}}""", data.GetProperty("hugetlb").GetRawText());
        Assert.Equal("{}", data.GetProperty("intel_rdt").GetRawText());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("network_interfaces").ValueKind);

        // Round trip (a `carton events` consumer reads these back).
        var back = JsonSerializer.Deserialize(json, CgroupStatsJsonContext.Default.CgroupEvent)!;
        Assert.Equal(3145728UL, back.Data!.Memory.Usage.Usage);
        Assert.Equal(6, back.Data.Blkio.IoServiceBytesRecursive!.Count);
    }

    /// <summary>JSON written with ' for " (keeps the expected documents readable).</summary>
    private static string J(string singleQuoted) => singleQuoted.Replace('\'', '"');

    [Fact]
    public void OomEventIsTypeAndIdOnly()
    {
        Assert.Equal("""{"type":"oom","id":"abc"}""",
            JsonSerializer.Serialize(CgroupEvent.Oom("abc"), CgroupStatsJsonContext.Default.CgroupEvent));
    }

    [Fact]
    public void V2HostWithoutUnifiedPathIsAnError()
    {
        var (tree, host, _) = V2();
        using var _t = tree;
        Assert.Throws<CgroupException>(() => CgroupStatsReader.Read(host, new Dictionary<string, string> { ["memory"] = "/x" }));
    }
}
