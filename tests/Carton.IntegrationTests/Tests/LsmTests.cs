using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>A fact that runs only on a host without AppArmor and SELinux (such as the machine this suite is built on).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoLsmFactAttribute : FactAttribute
{
    public NoLsmFactAttribute()
    {
        bool apparmor = Directory.Exists("/sys/kernel/security/apparmor") && File.Exists("/sys/module/apparmor/parameters/enabled") &&
                        File.ReadAllText("/sys/module/apparmor/parameters/enabled").StartsWith('Y');
        if (apparmor || File.Exists("/sys/fs/selinux/enforce"))
            Skip = "the host has AppArmor or SELinux: these tests check what happens without them";
    }
}

/// <summary>
/// process.apparmorProfile, process.selinuxLabel and linux.mountLabel on a host without AppArmor or SELinux: runc fails
/// each (the SELinux label up front, the AppArmor profile when the init writes /proc/self/attr/exec, the mount label
/// when a mount gets context=... with EINVAL); carton refuses each at create, naming the field, leaving nothing.
/// Carton used to ignore all three and run the container unconfined. (What is written where on a host that has them
/// is unit-tested: tests/Carton.Runtime.Tests/LsmPlanTests.cs.)
/// </summary>
public sealed class LsmTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [NoLsmFact]
    public void AppArmorProfile_HostWithoutAppArmor_Refused() =>
        AssertRefused(b => b.SetProcess("apparmorProfile", "carton-test-profile"), "process.apparmorProfile");

    [NoLsmFact]
    public void SelinuxLabel_HostWithoutSelinux_Refused() =>
        AssertRefused(b => b.SetProcess("selinuxLabel", "system_u:system_r:container_t:s0"), "process.selinuxLabel");

    [NoLsmFact]
    public void MountLabel_HostWithoutSelinux_Refused() =>
        AssertRefused(b => b.SetLinux("mountLabel", "system_u:object_r:container_file_t:s0"), "linux.mountLabel");

    /// <summary>exec of a process that asks for an AppArmor profile is refused the same way; the container lives on.</summary>
    [NoLsmFact]
    public void Exec_AppArmorProfile_HostWithoutAppArmor_Refused()
    {
        Bundle.SetArgs("sleep", "30");
        var id = Env.NewId();
        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create failed:\n{create}");
        Rt.MustRun("start", id);
        var exec = Rt.Exec(["exec", "--apparmor", "carton-test-profile", id, "true"]);
        AssertFailed(exec, "exec --apparmor on a host without AppArmor");
        if (!Fixture.RuntimeIsRunc)
            Assert.True(exec.Stderr.Contains("apparmor", StringComparison.OrdinalIgnoreCase), $"error does not name AppArmor:\n{exec}");
        Assert.Equal("running", Rt.Status(id));
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    private void AssertRefused(Action<Bundle> set, string field)
    {
        Bundle.SetArgs("true");
        set(Bundle);
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, $"create with {field} on a host without the LSM");
        if (!Fixture.RuntimeIsRunc)
            Assert.True(r.Stderr.Contains(field, StringComparison.Ordinal) && r.Stderr.Contains("not enabled on this host", StringComparison.Ordinal),
                $"error does not name {field}:\n{r}");
        Env.AssertNoLeaks();
    }
}
