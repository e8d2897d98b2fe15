using Carton.Linux.Cgroups;

namespace Carton.Linux.Tests.Cgroups;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupPathTests
{
    private const string HybridMountinfo = """
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private static readonly CgroupHost Hybrid = new(HybridMountinfo, "6:freezer:/\n4:memory:/process_api/x\n0::/user.slice/s.scope\n");

    private static readonly CgroupHost V2 = new(
        "25 23 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
        "0::/user.slice/user-1000.slice/session-3.scope\n");

    [Theory]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/a//b/./c/", "/a/b/c")]
    [InlineData("/", "/")]
    public void AbsolutePathIsTakenAsGiven(string value, string expected)
    {
        var path = CgroupPath.Resolve(value, "ctr");
        Assert.False(path.IsRelative);
        Assert.Null(path.SystemdUnit);
        Assert.Equal(expected, path.Path);
        foreach (var h in Hybrid.Hierarchies) Assert.Equal(expected, path.InHierarchy(Hybrid, h));
        Assert.Equal("/sys/fs/cgroup/memory/a/b", Hybrid.FindByController("memory")!.DirectoryFor(CgroupPath.Resolve("/a/b", "c").InHierarchy(Hybrid, Hybrid.FindByController("memory")!)));
    }

    [Fact]
    public void RelativePathIsUnderTheCallersCgroupOfEachHierarchy()
    {
        var path = CgroupPath.Resolve("a/b", "ctr");
        Assert.True(path.IsRelative);
        Assert.Equal("a/b", path.Path);
        Assert.Equal("/process_api/x/a/b", path.InHierarchy(Hybrid, Hybrid.FindByController("memory")!));
        Assert.Equal("/a/b", path.InHierarchy(Hybrid, Hybrid.FindByController("freezer")!));
        // Hybrid unified tree: relative to the caller's own cgroup, mirroring the v1 layout.
        Assert.Equal("/user.slice/s.scope/a/b", path.InHierarchy(Hybrid, Hybrid.Unified!));
    }

    [Fact]
    public void RelativePathOnPureV2IsUnderTheParentOfTheCallersCgroup()
    {
        var path = CgroupPath.Resolve("a/b", "ctr");
        Assert.Equal("/user.slice/user-1000.slice/a/b", path.InHierarchy(V2, V2.Unified!));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void EmptyPathIsTheContainerIdRelativeToTheCaller(string? value)
    {
        var path = CgroupPath.Resolve(value, "mycontainer");
        Assert.True(path.IsRelative);
        Assert.Equal("mycontainer", path.Path);
        Assert.Equal("/process_api/x/mycontainer", path.InHierarchy(Hybrid, Hybrid.FindByController("memory")!));
        Assert.Equal("/mycontainer", path.InHierarchy(Hybrid, Hybrid.FindByController("freezer")!));
        Assert.Equal("/user.slice/user-1000.slice/mycontainer", path.InHierarchy(V2, V2.Unified!));
    }

    [Theory]
    [InlineData("system.slice:docker:abc", "/system.slice/docker-abc.scope", "docker-abc.scope")]
    [InlineData(":runc:abc", "/system.slice/runc-abc.scope", "runc-abc.scope")]
    [InlineData("machine-test.slice:runc:x", "/machine.slice/machine-test.slice/runc-x.scope", "runc-x.scope")]
    [InlineData("a-b-c.slice:p:x", "/a.slice/a-b.slice/a-b-c.slice/p-x.scope", "p-x.scope")]
    [InlineData("-.slice:p:x", "/p-x.scope", "p-x.scope")]
    [InlineData("user.slice::x", "/user.slice/x.scope", "x.scope")]
    [InlineData("system.slice:runc:my.slice", "/system.slice/my.slice", "my.slice")]
    public void SystemdFormMapsToSystemdDirectories(string value, string expected, string unit)
    {
        var path = CgroupPath.Resolve(value, "ignored");
        Assert.False(path.IsRelative);
        Assert.Equal(expected, path.Path);
        Assert.Equal(unit, path.SystemdUnit);
        Assert.Equal(expected, path.InHierarchy(V2, V2.Unified!));
    }

    [Theory]
    [InlineData("test-a-b.slice", "/test.slice/test-a.slice/test-a-b.slice")]
    [InlineData("system.slice", "/system.slice")]
    [InlineData("-.slice", "/")]
    public void ExpandSliceNestsByDash(string slice, string expected) => Assert.Equal(expected, CgroupPath.ExpandSlice(slice));

    [Theory]
    [InlineData("/a/../b", "ctr", "\"..\"")]
    [InlineData("../escape", "ctr", "\"..\"")]
    [InlineData("a/..", "ctr", "\"..\"")]
    [InlineData("./", "ctr", "names no cgroup")]
    [InlineData("system.slice:runc:", "ctr", "needs a name")]
    [InlineData("system:runc:x", "ctr", "slice name")]
    [InlineData("a--b.slice:runc:x", "ctr", "slice name")]
    [InlineData("-a.slice:runc:x", "ctr", "slice name")]
    [InlineData("system.slice:ru/nc:x", "ctr", "prefix")]
    [InlineData("system.slice:runc:x/y", "ctr", "unit name")]
    [InlineData("system.slice:runc:..", "ctr", "unit name")]
    [InlineData("", "a/b", "container id")]
    [InlineData(null, "..", "container id")]
    [InlineData("/a\0b", "ctr", "NUL")]
    public void InvalidValuesNameTheField(string? value, string id, string reason)
    {
        var e = Assert.Throws<CgroupException>(() => CgroupPath.Resolve(value, id));
        Assert.StartsWith("linux.cgroupsPath: ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void PathsWithOtherColonCountsAreOrdinaryPaths()
    {
        Assert.Equal("a:b", CgroupPath.Resolve("a:b", "c").Path);
        Assert.Equal("/x:y:z", CgroupPath.Resolve("/x:y:z", "c").Path);
    }
}
