using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>linux.sysctl, linux.devices, hostname and domainname.</summary>
public sealed class LinuxConfigTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private const string ShmMax = "68719476736";

    [Fact]
    public void Sysctl_NamespacedValuesApplied()
    {
        Bundle.SetLinux("sysctl", new JsonObject { ["net.ipv4.ip_forward"] = "1", ["kernel.shmmax"] = ShmMax });
        Bundle.SetShell("echo ip_forward=$(cat /proc/sys/net/ipv4/ip_forward); echo shmmax=$(cat /proc/sys/kernel/shmmax)");
        var hostForward = File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim();
        var hostShmMax = File.ReadAllText("/proc/sys/kernel/shmmax").Trim();
        var r = RunOk("linux.sysctl");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("ip_forward") == "1", $"net.ipv4.ip_forward not applied:\n{r}");
        Assert.True(kv.GetValueOrDefault("shmmax") == ShmMax, $"kernel.shmmax not applied:\n{r}");
        Assert.Equal(hostForward, File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim());
        Assert.Equal(hostShmMax, File.ReadAllText("/proc/sys/kernel/shmmax").Trim());
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Sysctl_NotNamespaced_RejectedAtCreate()
    {
        var hostSwappiness = File.ReadAllText("/proc/sys/vm/swappiness").Trim();
        var value = hostSwappiness == "17" ? "18" : "17";
        Bundle.SetLinux("sysctl", new JsonObject { ["vm.swappiness"] = value });
        Bundle.SetArgs("true");
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create with a non-namespaced sysctl");
        Assert.Equal(hostSwappiness, File.ReadAllText("/proc/sys/vm/swappiness").Trim());
        Assert.True(r.Stderr.Contains("vm.swappiness", StringComparison.Ordinal), $"error does not name the sysctl:\n{r}");
        if (!Fixture.RuntimeIsRunc)
        {
            // runc says: sysctl "vm.swappiness" is not in a separate kernel namespace
            Assert.True(r.Stderr.Contains("linux.sysctl", StringComparison.Ordinal), $"error does not mention linux.sysctl:\n{r}");
        }
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Devices_CreatedWithTypeNumbersAndMode()
    {
        Bundle.SetLinux("devices", new JsonArray(new JsonObject
        {
            ["path"] = "/dev/mydev", ["type"] = "c", ["major"] = 1, ["minor"] = 3, ["fileMode"] = 384, ["uid"] = 0, ["gid"] = 0,
        }));
        // Let the device cgroup allow it (the default spec denies everything) so it can be written to.
        Bundle.Mutate(_ =>
        {
            var resources = (JsonObject)(Bundle.Linux["resources"] ??= new JsonObject());
            var devices = (JsonArray)(resources["devices"] ??= new JsonArray());
            devices.Add(new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = 1, ["minor"] = 3, ["access"] = "rwm" });
        });
        Bundle.SetShell("echo stat=$(stat -c '%F|%t %T %a|%u:%g' /dev/mydev); echo hello > /dev/mydev && echo write=ok");
        var r = RunOk("linux.devices");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("stat") == "character special file|1 3 600|0:0", $"unexpected /dev/mydev:\n{r}");
        Assert.True(kv.GetValueOrDefault("write") == "ok", $"writing to the allowed device failed:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Devices_DifferentialStat()
    {
        Bundle.SetLinux("devices", new JsonArray(
            new JsonObject { ["path"] = "/dev/mydev", ["type"] = "c", ["major"] = 1, ["minor"] = 3, ["fileMode"] = 384, ["uid"] = 0, ["gid"] = 0 },
            new JsonObject { ["path"] = "/dev/sub/blk", ["type"] = "b", ["major"] = 7, ["minor"] = 0, ["fileMode"] = 416, ["uid"] = 1000, ["gid"] = 1000 }));
        Bundle.SetShell("stat -c '%n %F %t %T %a %u:%g' /dev/mydev /dev/sub/blk");
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Hostname()
    {
        Bundle.SetHostname("probe-host");
        Bundle.SetShell("echo hostname=$(hostname); echo uts=$(cat /proc/sys/kernel/hostname)");
        var r = RunOk("hostname");
        Assert.Equal("hostname=probe-host\nuts=probe-host\n", r.Stdout);
        Assert.NotEqual("probe-host", File.ReadAllText("/proc/sys/kernel/hostname").Trim());
        Env.AssertNoLeaks();
    }

    /// <summary>OCI runtime-spec 1.1 "domainname".</summary>
    [SkipOnRuncFact("runc 1.1.x ignores the domainname field (supported from runc 1.2)")]
    public void Domainname()
    {
        Bundle.SetHostname("probe-host");
        Bundle.Mutate(c => c["domainname"] = "probe.example");
        Bundle.SetShell("echo hostname=$(hostname); echo domainname=$(cat /proc/sys/kernel/domainname)");
        var hostDomain = File.ReadAllText("/proc/sys/kernel/domainname").Trim();
        var r = RunOk("hostname+domainname");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("hostname") == "probe-host", $"hostname not set:\n{r}");
        Assert.True(kv.GetValueOrDefault("domainname") == "probe.example", $"domainname not set:\n{r}");
        Assert.Equal(hostDomain, File.ReadAllText("/proc/sys/kernel/domainname").Trim());
        Env.AssertNoLeaks();
    }
}
