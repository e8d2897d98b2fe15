using Carton.Linux.Security;
using Carton.Oci;
using Carton.Runtime;

namespace Carton.Runtime.Tests;

/// <summary>Which LSM attr file gets which string, and the mount data, for every host the plan can meet.</summary>
public class LsmPlanTests
{
    private static readonly LsmHostFacts None = new(false, false, false);
    private static readonly LsmHostFacts AppArmorNew = new(true, true, false);
    private static readonly LsmHostFacts AppArmorOld = new(true, false, false);
    private static readonly LsmHostFacts Selinux = new(false, false, true);
    private static readonly LsmHostFacts Both = new(true, true, true);

    private static Process Proc(string? apparmor = null, string? selinux = null) => new() { ApparmorProfile = apparmor, SelinuxLabel = selinux };

    private static (string Path, string Value)[] Writes(LsmPlan p) => p.ExecWrites.Select(w => (w.Path, w.Value)).ToArray();

    [Fact]
    public void NothingAsked_NothingWritten_OnAnyHost()
    {
        foreach (var host in new[] { None, AppArmorNew, Selinux, Both })
        {
            var p = LsmPlan.Compute(Proc(), null, host, exec: false);
            Assert.Empty(p.ExecWrites);
            Assert.Null(p.MountLabel);
        }
    }

    [Fact]
    public void AppArmor_Enabled_ExecAttrInItsOwnDirectory()
    {
        var p = LsmPlan.Compute(Proc(apparmor: "docker-default"), null, AppArmorNew, exec: false);
        Assert.Equal([("/proc/thread-self/attr/apparmor/exec", "exec docker-default")], Writes(p));
    }

    [Fact]
    public void AppArmor_Enabled_OlderKernel_SharedExecAttr()
    {
        var p = LsmPlan.Compute(Proc(apparmor: "docker-default"), null, AppArmorOld, exec: false);
        Assert.Equal([("/proc/thread-self/attr/exec", "exec docker-default")], Writes(p));
    }

    [Fact]
    public void AppArmor_Disabled_RefusedNamingTheField()
    {
        foreach (var exec in new[] { false, true })
        {
            var e = Assert.Throws<RuntimeError>(() => LsmPlan.Compute(Proc(apparmor: "docker-default"), null, Selinux, exec));
            Assert.Equal("process.apparmorProfile", e.JsonPath);
            Assert.Equal(ErrorKind.Unsupported, e.Kind);
            Assert.Contains("AppArmor is not enabled", e.Message);
        }
    }

    [Fact]
    public void Selinux_Enabled_ExecLabel()
    {
        var p = LsmPlan.Compute(Proc(selinux: "system_u:system_r:container_t:s0"), null, Selinux, exec: false);
        Assert.Equal([("/proc/thread-self/attr/exec", "system_u:system_r:container_t:s0")], Writes(p));
    }

    [Fact]
    public void Selinux_Disabled_RefusedNamingTheField()
    {
        var e = Assert.Throws<RuntimeError>(() => LsmPlan.Compute(Proc(selinux: "system_u:system_r:container_t:s0"), null, AppArmorNew, exec: false));
        Assert.Equal("process.selinuxLabel", e.JsonPath);
    }

    [Fact]
    public void Both_AppArmorThenSelinux_EachInItsFile()
    {
        var p = LsmPlan.Compute(Proc("prof", "u:r:t:s0"), null, Both, exec: true);
        Assert.Equal([("/proc/thread-self/attr/apparmor/exec", "exec prof"), ("/proc/thread-self/attr/exec", "u:r:t:s0")], Writes(p));
    }

    [Fact]
    public void MountLabel_Create_Selinux_Kept()
    {
        var p = LsmPlan.Compute(Proc(), "system_u:object_r:container_file_t:s0", Selinux, exec: false);
        Assert.Equal("system_u:object_r:container_file_t:s0", p.MountLabel);
        Assert.Empty(p.ExecWrites);
    }

    [Fact]
    public void MountLabel_Exec_Ignored()
    {
        Assert.Null(LsmPlan.Compute(Proc(), "l", Selinux, exec: true).MountLabel);
        Assert.Null(LsmPlan.Compute(Proc(), "l", None, exec: true).MountLabel); // exec mounts nothing: not refused either
    }

    [Fact]
    public void MountLabel_Create_NoSelinux_RefusedNamingTheField()
    {
        var e = Assert.Throws<RuntimeError>(() => LsmPlan.Compute(Proc(), "l", AppArmorNew, exec: false));
        Assert.Equal("linux.mountLabel", e.JsonPath);
    }

    [Theory]
    [InlineData("tmpfs", false, "mode=755", "lbl", "mode=755,context=\"lbl\"")]
    [InlineData("tmpfs", false, null, "lbl", "context=\"lbl\"")]
    [InlineData("devpts", false, "newinstance", "lbl", "newinstance,context=\"lbl\"")]
    [InlineData("tmpfs", false, "mode=755", null, "mode=755")]
    [InlineData("proc", false, null, "lbl", null)]
    [InlineData("sysfs", false, null, "lbl", null)]
    [InlineData("mqueue", false, null, "lbl", null)]
    [InlineData("cgroup", false, null, "lbl", null)]
    [InlineData("none", true, "x", "lbl", "x")]
    public void MountData_ContextOnlyWhereRuncPutsIt(string type, bool bind, string? data, string? label, string? expected) =>
        Assert.Equal(expected, LsmAttributes.MountData(type, bind, data, label));
}
