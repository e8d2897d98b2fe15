namespace Carton.Oci.Tests;

public class SpecValidatorTests
{
    private static Spec Valid() => DefaultSpec.Create(rootless: false);

    private static void AssertSingle(Spec spec, string path, string message, string? bundleDir = null)
    {
        var errors = SpecValidator.Validate(spec, bundleDir);
        var e = Assert.Single(errors);
        Assert.Equal(path, e.Path);
        Assert.Equal(message, e.Message);
        Assert.Equal($"{path}: {message}", e.ToString());
    }

    [Fact]
    public void DefaultSpecs_AreValid()
    {
        Assert.Empty(SpecValidator.Validate(DefaultSpec.Create(false), null));
        Assert.Empty(SpecValidator.Validate(DefaultSpec.Create(true, 1000, 1000), null));
    }

    [Fact]
    public void OciVersion_Missing() { var s = Valid(); s.OciVersion = null; AssertSingle(s, "ociVersion", "must be set"); }

    [Fact]
    public void OciVersion_NotSemVer() { var s = Valid(); s.OciVersion = "1.0"; AssertSingle(s, "ociVersion", "\"1.0\" is not a SemVer version"); }

    [Fact]
    public void Root_PathMissing() { var s = Valid(); s.Root = null; AssertSingle(s, "root.path", "must be set"); }

    [Fact]
    public void Root_DirectoryMissing_ResolvedAgainstBundle()
    {
        using var dir = new TestHelpers.TempDir();
        var s = Valid();
        AssertSingle(s, "root.path", $"directory \"{Path.Combine(dir.Path, "rootfs")}\" does not exist", dir.Path);
        Directory.CreateDirectory(Path.Combine(dir.Path, "rootfs"));
        Assert.Empty(SpecValidator.Validate(s, dir.Path));
    }

    [Fact]
    public void Process_Missing() { var s = Valid(); s.Process = null; AssertSingle(s, "process", "must be set"); }

    [Fact]
    public void Process_ArgsEmpty() { var s = Valid(); s.Process!.Args = []; AssertSingle(s, "process.args", "must not be empty"); }

    [Fact]
    public void Process_ArgsNull() { var s = Valid(); s.Process!.Args = null; AssertSingle(s, "process.args", "must not be empty"); }

    [Fact]
    public void Process_CwdRelative() { var s = Valid(); s.Process!.Cwd = "tmp"; AssertSingle(s, "process.cwd", "must be an absolute path"); }

    [Fact]
    public void Process_CwdMissing() { var s = Valid(); s.Process!.Cwd = null; AssertSingle(s, "process.cwd", "must be set"); }

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("=value")]
    public void Process_EnvMalformed(string bad)
    {
        var s = Valid();
        s.Process!.Env = ["A=1", "B=", "C=x=y", bad];
        AssertSingle(s, "process.env[3]", "must be of the form KEY=value");
    }

    [Fact]
    public void Capability_Unknown()
    {
        var s = Valid();
        s.Process!.Capabilities!.Bounding!.Add("CAP_FOO");
        AssertSingle(s, "process.capabilities.bounding[3]", "unknown capability \"CAP_FOO\"");
    }

    [Fact]
    public void Capability_IsCaseSensitive()
    {
        var s = Valid();
        s.Process!.Capabilities!.Ambient = ["cap_kill"];
        AssertSingle(s, "process.capabilities.ambient[0]", "unknown capability \"cap_kill\"");
    }

    [Fact]
    public void Capability_WithoutPrefix_Rejected()
    {
        var s = Valid();
        s.Process!.Capabilities!.Inheritable = ["CHOWN"];
        AssertSingle(s, "process.capabilities.inheritable[0]", "unknown capability \"CHOWN\"");
    }

    [Fact]
    public void Rlimit_UnknownType()
    {
        var s = Valid();
        s.Process!.Rlimits![0].Type = "RLIMIT_FOO";
        AssertSingle(s, "process.rlimits[0].type", "unknown rlimit \"RLIMIT_FOO\"");
    }

    [Fact]
    public void Rlimit_SoftAboveHard()
    {
        var s = Valid();
        s.Process!.Rlimits![0].Soft = 10;
        s.Process.Rlimits[0].Hard = 5;
        AssertSingle(s, "process.rlimits[0]", "soft limit 10 exceeds hard limit 5");
    }

    [Fact]
    public void Rlimit_Duplicate()
    {
        var s = Valid();
        s.Process!.Rlimits!.Add(new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1, Soft = 1 });
        AssertSingle(s, "process.rlimits[1].type", "duplicate rlimit \"RLIMIT_NOFILE\"");
    }

    [Theory]
    [InlineData(-1001)]
    [InlineData(1001)]
    public void OomScoreAdj_OutOfRange(int v)
    {
        var s = Valid();
        s.Process!.OomScoreAdj = v;
        AssertSingle(s, "process.oomScoreAdj", "must be between -1000 and 1000");
    }

    [Fact]
    public void OomScoreAdj_Bounds_AreValid()
    {
        var s = Valid();
        s.Process!.OomScoreAdj = -1000;
        Assert.Empty(SpecValidator.Validate(s, null));
        s.Process.OomScoreAdj = 1000;
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void IoPriority_Invalid()
    {
        var s = Valid();
        s.Process!.IoPriority = new LinuxIOPriority { Class = "IOPRIO_CLASS_BE", Priority = 8 };
        AssertSingle(s, "process.ioPriority.priority", "must be between 0 and 7");
    }

    [Fact]
    public void Hostname_WithoutUts()
    {
        var s = Valid();
        s.Linux!.Namespaces!.RemoveAll(n => n.Type == "uts");
        AssertSingle(s, "hostname", "requires a new UTS namespace");
    }

    [Fact]
    public void Hostname_WithJoinedUts_IsAllowedLikeRunc()
    {
        var s = Valid();
        s.Linux!.Namespaces!.Single(n => n.Type == "uts").Path = "/proc/1/ns/uts";
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Domainname_WithoutUts()
    {
        var s = Valid();
        s.Hostname = null;
        s.Domainname = "example.org";
        s.Linux!.Namespaces!.RemoveAll(n => n.Type == "uts");
        AssertSingle(s, "domainname", "requires a new UTS namespace");
    }

    [Fact]
    public void Mount_RelativeDestination()
    {
        var s = Valid();
        s.Mounts![2].Destination = "dev/pts";
        AssertSingle(s, "mounts[2].destination", "must be an absolute path");
    }

    [Fact]
    public void Mount_MissingDestination()
    {
        var s = Valid();
        s.Mounts![0].Destination = null;
        AssertSingle(s, "mounts[0].destination", "must be set");
    }

    [Fact]
    public void Mount_BindWithoutSource()
    {
        var s = Valid();
        s.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Options = ["rbind"] });
        AssertSingle(s, "mounts[7].source", "must be set for a bind mount");
    }

    [Fact]
    public void Mount_IdmapWithoutMappings()
    {
        var s = Valid();
        s.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "/srv", Options = ["rbind", "idmap"] });
        AssertSingle(s, "mounts[7].options[1]", "\"idmap\" requires uidMappings and gidMappings");
    }

    [Fact]
    public void Mount_IdmapWithMappings_IsValid()
    {
        var s = Valid();
        List<LinuxIdMapping> map() => [new LinuxIdMapping { ContainerID = 0, HostID = 100000, Size = 65536 }];
        s.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "/srv", Options = ["ridmap"], UidMappings = map(), GidMappings = map() });
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Mount_UidMappingsWithoutGidMappings()
    {
        var s = Valid();
        s.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "/srv", Options = ["bind"], UidMappings = [new LinuxIdMapping { Size = 1 }] });
        AssertSingle(s, "mounts[7].gidMappings", "required when uidMappings is set");
    }

    [Fact]
    public void Hook_RelativePath()
    {
        var s = Valid();
        s.Hooks = new Hooks { Poststop = [new Hook { Path = "/bin/true" }, new Hook { Path = "bin/true" }] };
        AssertSingle(s, "hooks.poststop[1].path", "must be an absolute path");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Hook_NonPositiveTimeout(int t)
    {
        var s = Valid();
        s.Hooks = new Hooks { CreateRuntime = [new Hook { Path = "/bin/true", Timeout = t }] };
        AssertSingle(s, "hooks.createRuntime[0].timeout", "must be greater than zero");
    }

    [Fact]
    public void Namespace_UnknownType()
    {
        var s = Valid();
        s.Linux!.Namespaces![1].Type = "foo";
        AssertSingle(s, "linux.namespaces[1].type", "unknown namespace type \"foo\"");
    }

    [Fact]
    public void Namespace_Duplicate()
    {
        var s = Valid();
        s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "pid" });
        AssertSingle(s, "linux.namespaces", "duplicate namespace type \"pid\"");
    }

    [Fact]
    public void Namespace_RelativePath()
    {
        var s = Valid();
        s.Linux!.Namespaces![0].Path = "proc/1/ns/pid";
        AssertSingle(s, "linux.namespaces[0].path", "must be an absolute path");
    }

    [Fact]
    public void UserNamespace_WithoutMappings()
    {
        var s = DefaultSpec.Create(true, 1000, 1000);
        s.Linux!.UidMappings = null;
        AssertSingle(s, "linux.uidMappings", "required when a user namespace is created");
    }

    [Fact]
    public void Mappings_WithoutUserNamespace()
    {
        var s = Valid();
        s.Linux!.GidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = 1000, Size = 1 }];
        AssertSingle(s, "linux.gidMappings", "requires a user namespace");
    }

    [Fact]
    public void Sysctl_NotNamespaced()
    {
        var s = Valid();
        s.Linux!.Sysctl = new() { ["vm.x"] = "1" };
        AssertSingle(s, "linux.sysctl[\"vm.x\"]", "not namespaced");
    }

    [Fact]
    public void Sysctl_Allowed()
    {
        var s = Valid();
        s.Linux!.Sysctl = new()
        {
            ["kernel.shmmax"] = "1", ["kernel.msgmax"] = "1", ["fs.mqueue.msg_max"] = "10",
            ["net.ipv4.ip_forward"] = "1", ["net/ipv4/ping_group_range"] = "0 0", ["kernel.domainname"] = "x",
        };
        Assert.Empty(SpecValidator.Validate(s, null));
    }

    [Fact]
    public void Sysctl_NetWithoutNetworkNamespace()
    {
        var s = Valid();
        s.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        s.Linux.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" };
        AssertSingle(s, "linux.sysctl[\"net.ipv4.ip_forward\"]", "requires a new network namespace");
    }

    [Fact]
    public void Sysctl_IpcWithoutIpcNamespace()
    {
        var s = Valid();
        s.Linux!.Namespaces!.RemoveAll(n => n.Type == "ipc");
        s.Linux.Sysctl = new() { ["kernel.sem"] = "1 2 3 4" };
        AssertSingle(s, "linux.sysctl[\"kernel.sem\"]", "requires a new IPC namespace");
    }

    [Fact]
    public void Sysctl_HostnameWithoutUts()
    {
        var s = Valid();
        s.Hostname = null;
        s.Linux!.Namespaces!.RemoveAll(n => n.Type == "uts");
        s.Linux.Sysctl = new() { ["kernel.hostname"] = "x" };
        AssertSingle(s, "linux.sysctl[\"kernel.hostname\"]", "requires a new UTS namespace");
    }

    [Fact]
    public void Device_BadType()
    {
        var s = Valid();
        s.Linux!.Devices = [new LinuxDevice { Path = "/dev/x", Type = "q", Major = 1, Minor = 1 }];
        AssertSingle(s, "linux.devices[0].type", "must be one of c, b, u, p");
    }

    [Theory]
    [InlineData("/tmp/x")]
    [InlineData("/dev/../etc/x")]
    [InlineData("dev/x")]
    public void Device_PathOutsideDev(string path)
    {
        var s = Valid();
        s.Linux!.Devices = [new LinuxDevice { Path = path, Type = "c", Major = 1, Minor = 1 }];
        AssertSingle(s, "linux.devices[0].path", "must be under /dev");
    }

    [Fact]
    public void MaskedPath_Relative()
    {
        var s = Valid();
        s.Linux!.MaskedPaths![1] = "proc/asound";
        AssertSingle(s, "linux.maskedPaths[1]", "must be an absolute path");
    }

    [Fact]
    public void ReadonlyPath_Relative()
    {
        var s = Valid();
        s.Linux!.ReadonlyPaths![0] = "x";
        AssertSingle(s, "linux.readonlyPaths[0]", "must be an absolute path");
    }

    [Fact]
    public void RootfsPropagation_Unknown()
    {
        var s = Valid();
        s.Linux!.RootfsPropagation = "x";
        AssertSingle(s, "linux.rootfsPropagation", "unknown propagation \"x\"");
    }

    [Fact]
    public void ResourcesDevice_BadAccess()
    {
        var s = Valid();
        s.Linux!.Resources!.Devices![0].Access = "rwx";
        AssertSingle(s, "linux.resources.devices[0].access", "must be a combination of r, w, m");
    }

    [Fact]
    public void TimeOffsets_WithoutTimeNamespace()
    {
        var s = Valid();
        s.Linux!.TimeOffsets = new() { ["monotonic"] = new LinuxTimeOffset { Secs = 1 } };
        AssertSingle(s, "linux.timeOffsets", "requires a new time namespace");
    }

    [Fact]
    public void Seccomp_UnknownDefaultAction()
    {
        var s = Valid();
        s.Linux!.Seccomp = new LinuxSeccomp { DefaultAction = "SCMP_ACT_NOPE" };
        AssertSingle(s, "linux.seccomp.defaultAction", "unknown action \"SCMP_ACT_NOPE\"");
    }

    [Fact]
    public void MultipleErrors_AreAllReported_InDocumentOrder()
    {
        var s = Valid();
        s.OciVersion = null;
        s.Process!.Args = [];
        s.Mounts![0].Destination = "proc";
        var errors = SpecValidator.Validate(s, null);
        Assert.Equal(["ociVersion", "process.args", "mounts[0].destination"], errors.Select(e => e.Path).ToArray());
    }

    private static Spec WithoutMountNamespace()
    {
        var s = Valid();
        s.Linux!.Namespaces!.RemoveAll(n => n.Type == "mount");
        s.Mounts = [];
        s.Linux.MaskedPaths = null;
        s.Linux.ReadonlyPaths = null;
        s.Root!.Readonly = false;
        s.Process!.Terminal = false;
        return s;
    }

    [Fact]
    public void NoMountNamespace_IsValid_WhenNothingNeedsAMount() => Assert.Empty(SpecValidator.Validate(WithoutMountNamespace(), null));

    [Fact]
    public void NoMountNamespace_EveryFieldThatNeedsAMount_IsNamed()
    {
        var s = WithoutMountNamespace();
        s.Mounts = [new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" }];
        s.Root!.Readonly = true;
        s.Process!.Terminal = true;
        s.Linux!.MaskedPaths = ["/proc/kcore"];
        s.Linux.ReadonlyPaths = ["/proc/sys"];
        s.Linux.RootfsPropagation = "private";
        s.Linux.Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }];
        var paths = SpecValidator.Validate(s, null).Where(e => e.Message.Contains("private mount namespace", StringComparison.Ordinal)).Select(e => e.Path).Order().ToArray();
        Assert.Equal(["linux.devices", "linux.maskedPaths", "linux.readonlyPaths", "linux.rootfsPropagation", "mounts", "process.terminal", "root.readonly"], paths);
    }
}
