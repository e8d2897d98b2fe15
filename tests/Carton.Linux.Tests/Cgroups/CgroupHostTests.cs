using Carton.Linux.Cgroups;

namespace Carton.Linux.Tests.Cgroups;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupHostTests
{
    // Fedora / Ubuntu 22.04+: systemd with the unified hierarchy only.
    private const string PureV2Mountinfo = """
        22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw,seclabel
        24 23 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:3 - securityfs securityfs rw
        25 23 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,seclabel,nsdelegate,memory_recursiveprot
        26 23 0:24 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw,seclabel
        1 0 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw,seclabel
        """;

    private const string PureV2Cgroup = "0::/user.slice/user-1000.slice/session-3.scope\n";

    // CentOS 7: v1 only, co-mounted controllers and the systemd named hierarchy with a release agent.
    private const string PureV1Mountinfo = """
        18 61 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw,seclabel
        22 18 0:18 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,seclabel,mode=755
        23 22 0:19 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,seclabel,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
        26 22 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,seclabel,cpuacct,cpu
        27 22 0:23 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,seclabel,net_prio,net_cls
        28 22 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,seclabel,memory
        29 22 0:25 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,seclabel,freezer
        30 22 0:26 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,seclabel,cpuset
        31 22 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,seclabel,pids
        """;

    private const string PureV1Cgroup = """
        11:pids:/user.slice
        10:cpuset:/
        9:freezer:/
        7:memory:/user.slice
        4:net_prio,net_cls:/
        3:cpu,cpuacct:/user.slice
        1:name=systemd:/user.slice/user-1000.slice/session-1.scope
        """;

    // This build machine: v1 controllers, name=systemd, and cgroup2 at /sys/fs/cgroup/unified.
    private const string HybridMountinfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string HybridCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/2134f0f03a9fd6e795a0f5a879dd5a2a
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """;

    [Fact]
    public void PureV2HostIsV2WithOneUnifiedHierarchy()
    {
        var host = new CgroupHost(PureV2Mountinfo, PureV2Cgroup);
        Assert.Equal(CgroupMode.V2, host.Mode);
        var h = Assert.Single(host.Hierarchies);
        Assert.True(h.IsUnified);
        Assert.Equal("/sys/fs/cgroup", h.MountPoint);
        Assert.Equal("/", h.Root);
        Assert.Empty(h.Controllers);
        Assert.Equal("", h.Key);
        Assert.Same(h, host.Unified);
        Assert.Empty(host.V1Hierarchies);
        Assert.Equal("/user.slice/user-1000.slice/session-3.scope", host.GetOwnPath(h));
    }

    [Fact]
    public void PureV1HostParsesControllersAndNamedHierarchy()
    {
        var host = new CgroupHost(PureV1Mountinfo, PureV1Cgroup);
        Assert.Equal(CgroupMode.V1, host.Mode);
        Assert.Null(host.Unified);
        Assert.Equal(
            ["name=systemd", "cpuacct,cpu", "net_prio,net_cls", "memory", "freezer", "cpuset", "pids"],
            host.Hierarchies.Select(h => h.Key));
        var systemd = host.FindByKey("name=systemd")!;
        Assert.Equal("/sys/fs/cgroup/systemd", systemd.MountPoint);
        // Mount flags (seclabel, xattr, release_agent=) are not controllers.
        Assert.Equal(["name=systemd"], systemd.Controllers);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", host.FindByController("cpu")!.MountPoint);
        // /proc/self/cgroup lists "cpu,cpuacct" in another order than the mount options; matched as a set.
        Assert.Equal("/user.slice", host.GetOwnPath(host.FindByController("cpuacct")!));
        Assert.Equal("/user.slice/user-1000.slice/session-1.scope", host.GetOwnPath(systemd));
        Assert.Equal("/", host.GetOwnPath(host.FindByController("freezer")!));
    }

    [Fact]
    public void HybridHostHasV1ControllersAndUnified()
    {
        var host = new CgroupHost(HybridMountinfo, HybridCgroup);
        Assert.Equal(CgroupMode.Hybrid, host.Mode);
        Assert.Equal(9, host.V1Hierarchies.Count);
        Assert.Equal("/sys/fs/cgroup/unified", host.Unified!.MountPoint);
        Assert.Equal(10, host.Hierarchies.Count);
        Assert.Equal(host.Unified, host.Hierarchies[^1]);
        Assert.Equal("/process_api/2134f0f03a9fd6e795a0f5a879dd5a2a", host.GetOwnPath(host.FindByController("memory")!));
        Assert.Equal("/", host.GetOwnPath(host.Unified));
        Assert.Equal("/", host.OwnPaths["name=systemd"]);
    }

    [Fact]
    public void ProbeOfThisHostMatchesItsMountinfo()
    {
        if (!File.Exists("/proc/self/mountinfo")) return;
        var host = CgroupHost.Probe();
        var mountinfo = File.ReadAllText("/proc/self/mountinfo");
        if (mountinfo.Contains(" - cgroup ", StringComparison.Ordinal))
            Assert.NotEqual(CgroupMode.V2, host.Mode);
        else
            Assert.Equal(CgroupMode.V2, host.Mode);
        foreach (var h in host.Hierarchies) Assert.True(Directory.Exists(h.MountPoint), h.ToString());
    }

    [Fact]
    public void DuplicateMountsPreferTheHostCgroupDirectoryAndEscapesAreDecoded()
    {
        const string mountinfo = """
            50 40 0:33 / /run/ctr/rootfs/sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            35 31 0:33 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            60 31 0:38 / /mnt/my\040cgroup2 rw - cgroup2 cgroup2 rw
            """;
        var host = new CgroupHost(mountinfo, "");
        Assert.Equal("/sys/fs/cgroup/memory", Assert.Single(host.V1Hierarchies).MountPoint);
        Assert.Equal("/mnt/my cgroup2", host.Unified!.MountPoint);
    }

    [Fact]
    public void MountOfASubCgroupStripsItsRoot()
    {
        const string mountinfo = "35 31 0:33 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        var host = new CgroupHost(mountinfo, "4:memory:/docker/abc\n");
        var memory = host.V1Hierarchies[0];
        Assert.Equal("/docker/abc", memory.Root);
        Assert.Equal("/sys/fs/cgroup/memory/ctr", memory.DirectoryFor("/docker/abc/ctr"));
        Assert.Equal("/sys/fs/cgroup/memory", memory.DirectoryFor("/docker/abc"));
        Assert.Equal("/sys/fs/cgroup/memory/other", memory.DirectoryFor("/other"));
    }

    [Fact]
    public void NoCgroupMountsThrows()
    {
        var e = Assert.Throws<CgroupException>(() => new CgroupHost("22 1 0:21 / /proc rw - proc proc rw\n", ""));
        Assert.Contains("no cgroup", e.Message);
    }

    [Fact]
    public void ProbeOfMissingFileNamesFileAndErrno()
    {
        var e = Assert.Throws<CgroupException>(() => CgroupHost.Probe("/nonexistent/mountinfo", "/nonexistent/cgroup"));
        Assert.Equal("read /nonexistent/mountinfo: no such file or directory (ENOENT)", e.Message);
    }

    [Fact]
    public void FakeTreeProbeFindsEveryMount()
    {
        using var tree = new FakeCgroupTree();
        tree.AddV1("cpu", "cpu");
        tree.AddV1("systemd", "name=systemd");
        tree.AddUnified();
        var host = tree.Host();
        Assert.Equal(CgroupMode.Hybrid, host.Mode);
        Assert.Equal(["cpu", "name=systemd", ""], host.Hierarchies.Select(h => h.Key));
        Assert.Equal(Path.Combine(tree.Root, "unified"), host.Unified!.MountPoint);
    }
}
