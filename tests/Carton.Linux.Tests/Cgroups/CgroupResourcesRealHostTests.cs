using Carton.Linux.Cgroups;
using Carton.Oci;

namespace Carton.Linux.Tests.Cgroups;

/// <summary>
/// ApplyResources against the host's real cgroups (needs root; skipped otherwise). The values are read back from
/// the kernel's files, which is the only check that the written formats are the ones the kernel accepts.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupResourcesRealHostTests
{
    private static bool CanUseHostCgroups(out CgroupHost host)
    {
        host = null!;
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/proc/self/mountinfo")) return false;
        try
        {
            host = CgroupHost.Probe();
        }
        catch (CgroupException)
        {
            return false;
        }
        return host.Hierarchies.All(h => Directory.Exists(h.MountPoint));
    }

    private static string UniqueId() => "carton-restest-" + Guid.NewGuid().ToString("N")[..10];

    private static string ReadFile(ICgroupManager m, string controller, string file) =>
        File.ReadAllText(Path.Combine(m.GetPath(controller)!, file)).Trim();

    [Fact]
    public void MemoryCpuPidsCpusetAndBlkioOnTheRealHost()
    {
        if (!CanUseHostCgroups(out var host)) return;
        var id = UniqueId();
        var manager = CgroupManagerFactory.Create(host, "/" + id, id);
        try
        {
            manager.Create();
            var blkioDir = manager.GetPath(host.Mode == CgroupMode.V2 ? "io" : "blkio");
            var resources = new LinuxResources
            {
                Memory = new LinuxMemory { Limit = 64L << 20 },
                Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000, Cpus = "0" },
                Pids = new LinuxPids { Limit = 20 },
                BlockIO = new LinuxBlockIO { Weight = 500 },
            };

            IReadOnlyList<string> warnings;
            CgroupException? blkioError = null;
            try
            {
                warnings = manager.ApplyResources(resources);
            }
            catch (CgroupException e) when (e.Message.StartsWith("linux.resources.blockIO", StringComparison.Ordinal))
            {
                // No weight knob at all on this kernel (neither CFQ's nor BFQ's): the error must name the field.
                blkioError = e;
                resources.BlockIO = null;
                warnings = manager.ApplyResources(resources);
            }
            Assert.Empty(warnings);

            if (host.Mode == CgroupMode.V2)
            {
                Assert.Equal("67108864", ReadFile(manager, "memory", "memory.max"));
                Assert.Equal("20", ReadFile(manager, "cpu", "cpu.weight"));
                Assert.Equal("50000 100000", ReadFile(manager, "cpu", "cpu.max"));
                Assert.Equal("20", ReadFile(manager, "pids", "pids.max"));
                Assert.Equal("0", ReadFile(manager, "cpuset", "cpuset.cpus"));
                return;
            }

            Assert.Equal("67108864", ReadFile(manager, "memory", "memory.limit_in_bytes"));
            Assert.Equal("512", ReadFile(manager, "cpu", "cpu.shares"));
            Assert.Equal("50000", ReadFile(manager, "cpu", "cpu.cfs_quota_us"));
            Assert.Equal("100000", ReadFile(manager, "cpu", "cpu.cfs_period_us"));
            Assert.Equal("20", ReadFile(manager, "pids", "pids.max"));
            Assert.Equal("0", ReadFile(manager, "cpuset", "cpuset.cpus"));

            Assert.NotNull(blkioDir);
            if (File.Exists(Path.Combine(blkioDir, "blkio.weight")))
                Assert.Equal("500", ReadFile(manager, "blkio", "blkio.weight"));
            else if (File.Exists(Path.Combine(blkioDir, "blkio.bfq.weight")))
                Assert.Equal("500", ReadFile(manager, "blkio", "blkio.bfq.weight"));
            else
            {
                Assert.NotNull(blkioError);
                Assert.Equal($"linux.resources.blockIO.weight: write 500 to {blkioDir}/blkio.bfq.weight: no such file or directory (ENOENT)", blkioError.Message);
            }
        }
        finally
        {
            if (manager.Exists()) manager.Destroy();
        }
    }

    [Fact]
    public void KernelRefusalsAndIgnoredKnobsOnTheRealHost()
    {
        if (!CanUseHostCgroups(out var host) || host.Mode == CgroupMode.V2) return;
        var id = UniqueId();
        var manager = CgroupManagerFactory.Create(host, "/" + id, id);
        try
        {
            manager.Create();
            var memoryDir = manager.GetPath("memory")!;

            // memory+swap below memory: the kernel refuses memsw (EINVAL), and the error names the field and file.
            if (File.Exists(Path.Combine(memoryDir, "memory.memsw.limit_in_bytes")))
            {
                var e = Assert.Throws<CgroupException>(() => manager.ApplyResources(new LinuxResources { Memory = new LinuxMemory { Limit = 64L << 20, Swap = 32L << 20 } }));
                Assert.Equal($"linux.resources.memory.swap: write 33554432 to {memoryDir}/memory.memsw.limit_in_bytes: invalid argument (EINVAL)", e.Message);
                // Raising then lowering both works thanks to the write order.
                manager.ApplyResources(new LinuxResources { Memory = new LinuxMemory { Limit = 64L << 20, Swap = 128L << 20 } });
                manager.ApplyResources(new LinuxResources { Memory = new LinuxMemory { Limit = 256L << 20, Swap = 512L << 20 } });
                manager.ApplyResources(new LinuxResources { Memory = new LinuxMemory { Limit = 16L << 20, Swap = 32L << 20 } });
                Assert.Equal("16777216", ReadFile(manager, "memory", "memory.limit_in_bytes"));
                Assert.Equal("33554432", ReadFile(manager, "memory", "memory.memsw.limit_in_bytes"));
            }

            // cpu.shares below the kernel minimum is clamped; the read-back reports it.
            var shares = Assert.Throws<CgroupException>(() => manager.ApplyResources(new LinuxResources { Cpu = new LinuxCpu { Shares = 1 } }));
            Assert.Equal("linux.resources.cpu.shares: 1 is below the minimum allowed cpu-shares 2", shares.Message);

            // Deprecated knobs: warnings (missing file, refused, or accepted but ignored), never errors.
            var warnings = manager.ApplyResources(new LinuxResources { Memory = new LinuxMemory { Kernel = 16L << 20, UseHierarchy = false } });
            Assert.All(warnings, w => Assert.Contains(": ignored", w));

            // The unified map needs cgroup v2.
            var unified = Assert.Throws<CgroupException>(() => manager.ApplyResources(new LinuxResources { Unified = new() { ["memory.high"] = "1" } }));
            Assert.StartsWith("linux.resources.unified: requires cgroup v2", unified.Message);
        }
        finally
        {
            if (manager.Exists()) manager.Destroy();
        }
    }

    /// <summary>
    /// On a hybrid host whose hugetlb controller is attached only to the unified tree (no v1 hugetlb mount), the
    /// limits land in the container's cgroup2 directory. The test undoes the root subtree_control change it caused.
    /// </summary>
    [Fact]
    public void HugetlbOnlyInTheUnifiedTreeOfAHybridHost()
    {
        if (!CanUseHostCgroups(out var host) || host.Mode != CgroupMode.Hybrid || host.FindByController("hugetlb") is not null) return;
        var root = host.Unified!.MountPoint;
        var available = File.ReadAllText(Path.Combine(root, "cgroup.controllers")).Split(' ', StringSplitOptions.TrimEntries);
        if (!available.Contains("hugetlb") || !Directory.Exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) return;
        var subtreeFile = Path.Combine(root, "cgroup.subtree_control");
        var enabledBefore = File.ReadAllText(subtreeFile).Split(' ', StringSplitOptions.TrimEntries).Contains("hugetlb");
        var id = UniqueId();
        var manager = CgroupManagerFactory.Create(host, "/" + id, id);
        try
        {
            manager.Create();
            var limits = new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { Pagesize = "2MB", Limit = 4L << 20 }] };
            if (!enabledBefore)
            {
                // carton refuses rather than enabling hugetlb host-wide in the unified root.
                var e = Assert.Throws<CgroupException>(() => manager.ApplyResources(limits));
                Assert.Contains("linux.resources.hugepageLimits", e.Message);
                Assert.DoesNotContain("hugetlb", File.ReadAllText(subtreeFile));
                return;
            }
            Assert.Empty(manager.ApplyResources(limits));
            Assert.Equal("4194304", File.ReadAllText(Path.Combine(manager.Paths[""], "hugetlb.2MB.max")).Trim());
        }
        finally
        {
            if (manager.Exists()) manager.Destroy();
            if (!enabledBefore)
            {
                try { File.WriteAllText(subtreeFile, "-hugetlb"); }
                catch (IOException) { }
            }
        }
    }
}
