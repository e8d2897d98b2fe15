using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>linux.resources.pids / cpu / devices enforced on the container's processes.</summary>
public sealed class ResourceLimitTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    [Fact]
    public void PidsLimit_ForkFailsBeyondLimit()
    {
        SetResource("pids", new JsonObject { ["limit"] = 10 });
        Bundle.SetShell("echo max=$(cat /sys/fs/cgroup/pids/pids.max); for i in $(seq 1 30); do sleep 2 & done 2>&1; wait; echo done");
        var r = RunContainer(Env.NewId());
        Assert.False(r.TimedOut, r.ToString());
        var all = r.Stdout + r.Stderr;
        Assert.True(all.Contains("can't fork", StringComparison.Ordinal) || all.Contains("Resource temporarily unavailable", StringComparison.Ordinal),
            $"30 background sleeps under pids.limit=10 did not report fork failures:\n{r}");
        Assert.True(KeyValues(r.Stdout).GetValueOrDefault("max") == "10", $"pids.max inside the container is not 10:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void PidsLimit_HostCgroupFile()
    {
        SetResource("pids", new JsonObject { ["limit"] = 10 });
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        Assert.Equal("10", CgroupPaths.Read(pid, "pids", "pids.max"));
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    /// <summary>quota 10ms per 100ms period + a busy loop: the kernel throttles it and `events --stats` shows it.</summary>
    [Fact]
    public void CpuQuota_BusyLoopIsThrottled()
    {
        SetResource("cpu", new JsonObject { ["quota"] = 10000, ["period"] = 100000 });
        Bundle.SetShell("while :; do :; done");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        var cpuDir = CgroupPaths.Dir(pid, "cpu");
        Assert.Equal("10000", File.ReadAllText(Path.Combine(cpuDir, "cpu.cfs_quota_us")).Trim());
        Assert.Equal("100000", File.ReadAllText(Path.Combine(cpuDir, "cpu.cfs_period_us")).Trim());
        Thread.Sleep(2000);

        var cpuStat = File.ReadAllText(Path.Combine(cpuDir, "cpu.stat"));
        Assert.True(CgroupPaths.ReadKeyed(Path.Combine(cpuDir, "cpu.stat")).GetValueOrDefault("nr_throttled") > 0, $"cpu.stat shows no throttling:\n{cpuStat}");

        var stats = Stats(Rt, id);
        var throttling = stats["data"]?["cpu"]?["throttling"];
        Assert.True(Long(throttling?["throttledPeriods"]) > 0, $"events --stats data.cpu.throttling.throttledPeriods not > 0 (cpu.stat:\n{cpuStat})\n{stats.ToJsonString()}");
        Assert.True(Long(throttling?["periods"]) > 0, $"events --stats data.cpu.throttling.periods not > 0\n{stats.ToJsonString()}");
        Assert.True(Long(throttling?["throttledTime"]) > 0, $"events --stats data.cpu.throttling.throttledTime not > 0\n{stats.ToJsonString()}");
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// Device cgroup: deny all, allow c 1:3 (plus both runtimes' default allow list). /dev/fuse (c 10:229,
    /// not in the defaults) is bind mounted from the host, so no linux.devices entry adds an implicit allow
    /// rule: opening it must fail with EPERM while /dev/null works. With an explicit allow for 10:229 the
    /// same open succeeds (so the denial really comes from the device cgroup). Compared with DIFF_RUNTIME.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Devices_DenyAllAllowList(bool allowFuse)
    {
        Assert.True(File.Exists("/dev/fuse"), "host has no /dev/fuse");
        var rules = new JsonArray(
            new JsonObject { ["allow"] = false, ["access"] = "rwm" },
            new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = 1, ["minor"] = 3, ["access"] = "rwm" });
        if (allowFuse)
        {
            rules.Add(new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = 10, ["minor"] = 229, ["access"] = "rw" });
        }
        SetResource("devices", rules);
        Bundle.AddMount("/dev/fuse", "bind", "/dev/fuse", "bind", "rw");
        Bundle.SetShell("""
            echo fuse-node=$(stat -c '%t:%T' /dev/fuse)
            if out=$( (exec 3</dev/fuse) 2>&1 ); then echo fuse=ok; else echo "fuse=denied ${out##*: }"; fi
            if out=$( (echo x >/dev/null) 2>&1 ); then echo null=ok; else echo "null=denied $out"; fi
            """);
        var r = RunOk("device rules");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("fuse-node") == "a:e5", $"/dev/fuse bind mount missing:\n{r}");
        Assert.True(kv.GetValueOrDefault("null") == "ok", $"/dev/null (allowed) not writable:\n{r}");
        var expected = allowFuse ? "ok" : "denied Operation not permitted";
        Assert.True(kv.GetValueOrDefault("fuse") == expected, $"expected fuse={expected}:\n{r}");

        var reference = Reference.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()]);
        AssertSameOutput(r, reference);
        Env.AssertNoLeaks();
    }
}
