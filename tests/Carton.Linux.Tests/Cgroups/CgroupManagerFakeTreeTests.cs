using Carton.Linux.Cgroups;

namespace Carton.Linux.Tests.Cgroups;

/// <summary>Managers driven against plain directories that imitate cgroupfs (see <see cref="FakeCgroupTree"/>).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupManagerFakeTreeTests
{
    private static (FakeCgroupTree Tree, CgroupHost Host) Hybrid(string procSelfCgroup = "")
    {
        var tree = new FakeCgroupTree();
        tree.AddV1("cpu,cpuacct", "cpu", "cpuacct");
        tree.AddV1("memory", "memory");
        tree.AddV1("freezer", "freezer");
        tree.AddV1("systemd", "name=systemd");
        tree.AddUnified("unified");
        return (tree, tree.Host(procSelfCgroup));
    }

    [Fact]
    public void V1CreateMakesTheCgroupInEveryHierarchyIncludingNamedAndUnified()
    {
        var (tree, host) = Hybrid();
        using var cleanup = tree;
        var manager = CgroupManagerFactory.Create(host, "/carton/ctr1", "ctr1");
        Assert.IsType<CgroupV1Manager>(manager);
        Assert.Equal(CgroupMode.Hybrid, manager.Mode);
        Assert.False(manager.Exists());

        manager.Create();
        manager.Create(); // idempotent

        Assert.Equal(["", "cpu,cpuacct", "freezer", "memory", "name=systemd"], manager.Paths.Keys.Order(StringComparer.Ordinal));
        foreach (var dir in new[] { "cpu,cpuacct", "memory", "freezer", "systemd", "unified" })
        {
            var expected = Path.Combine(tree.Root, dir, "carton", "ctr1");
            Assert.True(Directory.Exists(expected), expected);
        }
        Assert.Equal(Path.Combine(tree.Root, "unified", "carton", "ctr1"), manager.Paths[""]);
        Assert.Equal(Path.Combine(tree.Root, "systemd", "carton", "ctr1"), manager.Paths["name=systemd"]);
        Assert.Equal(manager.Paths["cpu,cpuacct"], manager.GetPath("cpuacct"));
        Assert.Null(manager.GetPath("pids"));
        Assert.True(manager.Exists());
        // Hybrid: the unified tree only gets a directory; its subtree_control is left alone.
        Assert.Equal("", tree.Read("unified/cgroup.subtree_control"));
    }

    [Fact]
    public void V1CreateRelativeToTheCallersCgroup()
    {
        var (tree, host) = Hybrid("3:memory:/user.slice\n2:cpu,cpuacct:/\n0::/init.scope\n");
        using var cleanup = tree;
        var manager = CgroupManagerFactory.Create(host, null, "ctr");
        Assert.Equal(Path.Combine(tree.Root, "memory", "user.slice", "ctr"), manager.Paths["memory"]);
        Assert.Equal(Path.Combine(tree.Root, "cpu,cpuacct", "ctr"), manager.Paths["cpu,cpuacct"]);
        Assert.Equal(Path.Combine(tree.Root, "unified", "init.scope", "ctr"), manager.Paths[""]);
    }

    [Fact]
    public void V1CreateCopiesCpusetFromParent()
    {
        using var tree = new FakeCgroupTree();
        tree.AddV1("cpuset", "cpuset");
        tree.Write("cpuset/cpuset.cpus", "0-3\n");
        tree.Write("cpuset/cpuset.mems", "0\n");
        // A real cpuset cgroup is born with these files empty; imitate that for the levels Create walks through.
        tree.Write("cpuset/a/cpuset.cpus", "");
        tree.Write("cpuset/a/cpuset.mems", "\n");
        var manager = CgroupManagerFactory.Create(tree.Host(), "/a", "x");
        manager.Create();
        Assert.Equal("0-3", tree.Read("cpuset/a/cpuset.cpus"));
        Assert.Equal("0", tree.Read("cpuset/a/cpuset.mems"));
    }

    [Fact]
    public void V2CreateEnablesControllersInEveryAncestor()
    {
        using var tree = new FakeCgroupTree();
        tree.AddUnified("", "cpu memory pids");
        tree.Write("kubepods/cgroup.controllers", "cpu memory pids\n");
        tree.Write("kubepods/cgroup.subtree_control", "");
        var host = tree.Host("0::/\n");
        Assert.Equal(CgroupMode.V2, host.Mode);

        var manager = CgroupManagerFactory.Create(host, "/kubepods/ctr", "ctr");
        Assert.IsType<CgroupV2Manager>(manager);
        manager.Create();

        Assert.Equal(Path.Combine(tree.Root, "kubepods", "ctr"), Assert.Single(manager.Paths).Value);
        Assert.True(Directory.Exists(manager.Paths[""]));
        Assert.Equal("+cpu +memory +pids", tree.Read("cgroup.subtree_control"));
        Assert.Equal("+cpu +memory +pids", tree.Read("kubepods/cgroup.subtree_control"));
        Assert.Empty(manager.Warnings);
        Assert.Equal(manager.Paths[""], manager.GetPath("memory"));
    }

    [Fact]
    public void V2CreateTurnsSubtreeControlFailuresIntoWarnings()
    {
        using var tree = new FakeCgroupTree();
        tree.AddUnified("", "cpu pids");
        // A directory where the file should be: every write fails (EISDIR), as a refused controller would.
        File.Delete(tree.Path_("cgroup.subtree_control"));
        Directory.CreateDirectory(tree.Path_("cgroup.subtree_control"));
        var manager = CgroupManagerFactory.Create(tree.Host("0::/\n"), "/ctr", "ctr");
        manager.Create();
        Assert.True(Directory.Exists(tree.Path_("ctr")));
        Assert.Equal(2, manager.Warnings.Count);
        Assert.Contains(manager.Warnings, w => w.StartsWith("write +cpu to ", StringComparison.Ordinal) && w.EndsWith("(EISDIR)", StringComparison.Ordinal));
    }

    [Fact]
    public void AddProcessWritesEveryHierarchyAndReportsErrno()
    {
        var (tree, host) = Hybrid();
        using var cleanup = tree;
        var manager = CgroupManagerFactory.Create(host, "/c", "c");
        manager.Create();
        foreach (var dir in manager.Paths.Values) File.WriteAllText(Path.Combine(dir, "cgroup.procs"), "");
        manager.AddProcess(4242);
        foreach (var dir in manager.Paths.Values) Assert.Equal("4242", File.ReadAllText(Path.Combine(dir, "cgroup.procs")));

        File.Delete(Path.Combine(manager.Paths["memory"], "cgroup.procs"));
        var e = Assert.Throws<CgroupException>(() => manager.AddProcess(7));
        Assert.Equal($"write 7 to {manager.Paths["memory"]}/cgroup.procs: no such file or directory (ENOENT)", e.Message);
        Assert.Equal(Carton.Linux.Interop.Errno.ENOENT, e.Errno);
    }

    [Fact]
    public void GetPidsIsRecursiveAndEmptyForAMissingCgroup()
    {
        using var tree = new FakeCgroupTree();
        tree.AddUnified("");
        var manager = CgroupManagerFactory.Create(tree.Host("0::/\n"), "/ctr", "ctr");
        Assert.Empty(manager.GetPids());
        tree.Write("ctr/cgroup.procs", "10\n11\n");
        tree.Write("ctr/sub/cgroup.procs", "12\n");
        tree.Write("ctr/sub/deeper/cgroup.procs", "13\n10\n");
        Assert.Equal([10, 11, 12, 13], manager.GetPids().Order());
    }

    [Theory]
    [InlineData("THAWED\n", "THAWED")]
    [InlineData("FROZEN\n", "FROZEN")]
    [InlineData("FREEZING\n", "FREEZING")]
    public void V1FreezerStateReadsFreezerState(string content, string expected)
    {
        var (tree, host) = Hybrid();
        using var cleanup = tree;
        var manager = CgroupManagerFactory.Create(host, "/c", "c");
        Assert.Equal("", manager.GetFreezerState()); // no cgroup yet
        manager.Create();
        tree.Write("freezer/c/freezer.state", content);
        Assert.Equal(expected, manager.GetFreezerState());
    }

    [Fact]
    public void V1WithoutFreezerHierarchyHasNoFreezerState()
    {
        using var tree = new FakeCgroupTree();
        tree.AddV1("memory", "memory");
        var manager = CgroupManagerFactory.Create(tree.Host(), "/c", "c");
        manager.Create();
        Assert.Equal("", manager.GetFreezerState());
        var e = Assert.Throws<CgroupException>(manager.Freeze);
        Assert.Contains("no freezer", e.Message);
    }

    [Fact]
    public void V1FreezeAndThawWriteFreezerState()
    {
        var (tree, host) = Hybrid();
        using var cleanup = tree;
        var manager = CgroupManagerFactory.Create(host, "/c", "c");
        manager.Create();
        tree.Write("freezer/c/freezer.state", "THAWED\n");
        manager.Freeze();
        Assert.Equal("FROZEN", tree.Read("freezer/c/freezer.state"));
        manager.Thaw();
        Assert.Equal("THAWED", manager.GetFreezerState());
    }

    [Theory]
    [InlineData("0\n", "populated 1\nfrozen 0\n", "THAWED")]
    [InlineData("1\n", "populated 1\nfrozen 0\n", "FREEZING")]
    [InlineData("1\n", "populated 1\nfrozen 1\n", "FROZEN")]
    public void V2FreezerStateCombinesFreezeAndEvents(string freeze, string events, string expected)
    {
        using var tree = new FakeCgroupTree();
        tree.AddUnified("");
        var manager = CgroupManagerFactory.Create(tree.Host("0::/\n"), "/ctr", "ctr");
        Assert.Equal("", manager.GetFreezerState());
        tree.Write("ctr/cgroup.freeze", freeze);
        tree.Write("ctr/cgroup.events", events);
        Assert.Equal(expected, manager.GetFreezerState());
    }

    [Fact]
    public void V2FreezeWritesCgroupFreezeAndWaitsForEvents()
    {
        using var tree = new FakeCgroupTree();
        tree.AddUnified("");
        var manager = CgroupManagerFactory.Create(tree.Host("0::/\n"), "/ctr", "ctr");
        tree.Write("ctr/cgroup.freeze", "0\n");
        tree.Write("ctr/cgroup.events", "populated 0\nfrozen 1\n");
        manager.Freeze();
        Assert.Equal("1", tree.Read("ctr/cgroup.freeze"));
        Assert.Equal("FROZEN", manager.GetFreezerState());
    }

    [Fact]
    public void DestroyRemovesEveryHierarchyDeepestFirst()
    {
        var (tree, host) = Hybrid();
        using var cleanup = tree;
        var manager = CgroupManagerFactory.Create(host, "/carton/c", "c");
        manager.Create();
        foreach (var dir in manager.Paths.Values) Directory.CreateDirectory(Path.Combine(dir, "child", "grandchild"));
        manager.Destroy();
        Assert.False(manager.Exists());
        foreach (var dir in manager.Paths.Values)
        {
            Assert.False(Directory.Exists(dir), dir);
            // Only the container's cgroup goes; the parent it was created under stays.
            Assert.True(Directory.Exists(Path.GetDirectoryName(dir)));
        }
        manager.Destroy(); // already gone is fine
    }

    [Fact]
    public void DestroyFailureNamesThePathAndErrno()
    {
        using var tree = new FakeCgroupTree();
        tree.AddUnified("");
        var manager = CgroupManagerFactory.Create(tree.Host("0::/\n"), "/ctr", "ctr");
        manager.Create();
        // A regular file inside makes rmdir fail with ENOTEMPTY (cgroupfs would say EBUSY for a live cgroup).
        tree.Write("ctr/stray", "x");
        var e = Assert.Throws<CgroupException>(manager.Destroy);
        Assert.Equal($"remove cgroup {manager.Paths[""]}: directory not empty (ENOTEMPTY)", e.Message);
    }

    [Fact]
    public void FromPathsReopensTheSameCgroups()
    {
        var (tree, host) = Hybrid();
        using var cleanup = tree;
        var created = CgroupManagerFactory.Create(host, "/c", "c");
        created.Create();
        var saved = created.Paths.ToDictionary();
        var reopened = CgroupManagerFactory.FromPaths(host, saved);
        Assert.IsType<CgroupV1Manager>(reopened);
        Assert.Equal(saved.OrderBy(p => p.Key), reopened.Paths.OrderBy(p => p.Key));
        Assert.True(reopened.Exists());
        reopened.Destroy();
        Assert.False(created.Exists());

        using var v2 = new FakeCgroupTree();
        v2.AddUnified("");
        var v2host = v2.Host("0::/\n");
        Assert.IsType<CgroupV2Manager>(CgroupManagerFactory.FromPaths(v2host, new Dictionary<string, string> { [""] = v2.Path_("x") }));
        Assert.Throws<CgroupException>(() => CgroupManagerFactory.FromPaths(v2host, new Dictionary<string, string> { ["memory"] = "/sys/fs/cgroup/memory/x" }));
        Assert.Throws<CgroupException>(() => CgroupManagerFactory.FromPaths(v2host, new Dictionary<string, string> { [""] = "relative" }));
    }

    [Fact]
    public void ErrnoNames()
    {
        Assert.Equal("device or resource busy (EBUSY)", Carton.Linux.Interop.Errno.Describe(Carton.Linux.Interop.Errno.EBUSY));
        Assert.Equal("no such process (ESRCH)", Carton.Linux.Interop.Errno.Describe(Carton.Linux.Interop.Errno.ESRCH));
        Assert.Equal("EOPNOTSUPP", Carton.Linux.Interop.Errno.Name(Carton.Linux.Interop.Errno.ENOTSUP));
        Assert.Equal(Carton.Linux.Interop.Errno.ENOENT, Carton.Linux.Interop.Errno.FromException(new FileNotFoundException()));
        Assert.Equal(Carton.Linux.Interop.Errno.EBUSY, Carton.Linux.Interop.Errno.FromException(new IOException("busy", 16)));
    }
}
