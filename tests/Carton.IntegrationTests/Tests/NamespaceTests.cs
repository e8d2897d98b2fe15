using System.Globalization;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>user, joined (path), time and cgroup namespaces; the init's pid namespace seen from the host.</summary>
public sealed class NamespaceTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private const int HostId = 100000;
    private const int MapSize = 65536;

    private void ConfigureUserNamespace()
    {
        Bundle.SetNamespace("user");
        Bundle.Mutate(_ =>
        {
            JsonArray Map() => new(new JsonObject { ["containerID"] = 0, ["hostID"] = HostId, ["size"] = MapSize });
            Bundle.Linux["uidMappings"] = Map();
            Bundle.Linux["gidMappings"] = Map();
        });
        // The bundle is private to this test: hand the whole rootfs to the mapped root.
        var chown = ProcessRunner.Run("/bin/chown", ["-R", "-h", $"{HostId}:{HostId}", Bundle.Rootfs]);
        Assert.True(chown.Succeeded, chown.ToString());
    }

    [Fact]
    public void UserNamespace_InsideIsRootAndMapped()
    {
        ConfigureUserNamespace();
        Bundle.AddMount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777");
        Bundle.SetShell("echo uid=$(id -u); echo gid=$(id -g); echo uidmap=$(cat /proc/self/uid_map); echo gidmap=$(cat /proc/self/gid_map); touch /tmp/f && echo owner=$(stat -c %u:%g /tmp/f)");
        var r = RunOk("user namespace");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("uid") == "0", $"id -u inside is not 0:\n{r}");
        Assert.True(kv.GetValueOrDefault("gid") == "0", $"id -g inside is not 0:\n{r}");
        Assert.True(kv.GetValueOrDefault("uidmap") == $"0 {HostId} {MapSize}", $"unexpected uid_map:\n{r}");
        Assert.True(kv.GetValueOrDefault("gidmap") == $"0 {HostId} {MapSize}", $"unexpected gid_map:\n{r}");
        Assert.True(kv.GetValueOrDefault("owner") == "0:0", $"file created by container root not owned by 0:0 inside:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void UserNamespace_HostSeesMappedUid()
    {
        ConfigureUserNamespace();
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var run = RunContainer(id, "-d");
        Assert.True(run.Succeeded, $"run -d with a user namespace failed:\n{run}");
        var pid = StateJson(id)["pid"]!.GetValue<int>();
        var uid = BundleConfigExtensions.ProcStatusField(pid, "Uid");
        var gid = BundleConfigExtensions.ProcStatusField(pid, "Gid");
        var uidMap = File.ReadAllText($"/proc/{pid}/uid_map");
        var userNs = new FileInfo($"/proc/{pid}/ns/user").LinkTarget;
        var hostUserNs = new FileInfo("/proc/self/ns/user").LinkTarget;
        Rt.MustRun("delete", "--force", id);

        Assert.True(uid is not null && uid.Split('\t', StringSplitOptions.RemoveEmptyEntries).All(u => u == HostId.ToString(CultureInfo.InvariantCulture)),
            $"host view of the container's Uid is '{uid}', expected {HostId} (uid_map: {uidMap})");
        Assert.True(gid is not null && gid.Split('\t', StringSplitOptions.RemoveEmptyEntries).All(g => g == HostId.ToString(CultureInfo.InvariantCulture)),
            $"host view of the container's Gid is '{gid}', expected {HostId}");
        Assert.NotEqual(hostUserNs, userNs);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void JoinNamespacesByPath_SharesHolderNamespaces()
    {
        Bundle.SetHostname("holder-host");
        Bundle.SetArgs("sleep", "100");
        var holder = Env.NewId();
        var run = RunContainer(holder, "-d");
        Assert.True(run.Succeeded, $"holder run -d failed:\n{run}");
        var pid = StateJson(holder)["pid"]!.GetValue<int>();
        var expected = new Dictionary<string, string?>();
        foreach (var ns in new[] { "net", "uts", "ipc" })
        {
            expected[ns] = new FileInfo($"/proc/{pid}/ns/{ns}").LinkTarget;
        }

        Bundle.SetNamespace("network", $"/proc/{pid}/ns/net");
        Bundle.SetNamespace("uts", $"/proc/{pid}/ns/uts");
        Bundle.SetNamespace("ipc", $"/proc/{pid}/ns/ipc");
        // The joiner must not set a hostname: it would rename the holder's UTS namespace.
        Bundle.Mutate(c => c.AsObject().Remove("hostname"));
        Bundle.SetShell("for n in net uts ipc; do echo $n=$(readlink /proc/self/ns/$n); done; echo hostname=$(hostname)");
        var joiner = RunContainer(Env.NewId());
        Rt.MustRun("delete", "--force", holder);

        Assert.True(joiner.Succeeded, $"run joining /proc/{pid}/ns/{{net,uts,ipc}} failed:\n{joiner}");
        var kv = KeyValues(joiner.Stdout);
        foreach (var (ns, link) in expected)
        {
            Assert.True(link is not null && kv.GetValueOrDefault(ns) == link, $"{ns}: holder has {link}, joiner sees {kv.GetValueOrDefault(ns)}:\n{joiner}");
        }
        Assert.True(kv.GetValueOrDefault("hostname") == "holder-host", $"joined UTS namespace does not carry the holder's hostname:\n{joiner}");
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// A namespace path of another type than its entry declares (an ipc namespace given as "cgroup") fails the create,
    /// as in runc and crun (setns with the declared type); carton's error names the entry (issue 9 §2).
    /// </summary>
    [Fact]
    public void JoinNamespaceOfAnotherType_Rejected()
    {
        Bundle.SetArgs("true");
        var path = $"/proc/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}/ns/ipc";
        Bundle.SetNamespace("cgroup", path);
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create joining an ipc namespace declared as cgroup");
        if (!Fixture.RuntimeIsRunc)
        {
            // runc: "nsexec-1[...]: failed to setns into cgroup namespace: Invalid argument".
            Assert.True(r.Stderr.Contains($"linux.namespaces: join cgroup namespace {path}: invalid argument (EINVAL)", StringComparison.Ordinal),
                $"error does not name the namespace entry:\n{r}");
        }
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// /proc/uptime follows the boottime offset, /proc/self/timens_offsets shows both offsets.
    /// </summary>
    [SkipOnRuncFact("runc 1.1.x does not support time namespaces (linux.timeOffsets)")]
    public void TimeNamespace_OffsetsApplied()
    {
        const long tenDays = 86400 * 10;
        Bundle.SetNamespace("time");
        Bundle.SetLinux("timeOffsets", new JsonObject
        {
            ["monotonic"] = new JsonObject { ["secs"] = tenDays, ["nanosecs"] = 0 },
            ["boottime"] = new JsonObject { ["secs"] = tenDays, ["nanosecs"] = 0 },
        });
        Bundle.SetShell("echo uptime=$(cut -d' ' -f1 /proc/uptime); cat /proc/self/timens_offsets; echo timens=$(readlink /proc/self/ns/time)");
        var r = RunOk("time namespace");
        var kv = KeyValues(r.Stdout);
        var uptime = double.Parse(kv.GetValueOrDefault("uptime") ?? "-1", CultureInfo.InvariantCulture);
        Assert.True(uptime >= tenDays, $"/proc/uptime {uptime} < 10 days:\n{r}");
        var offsets = r.Stdout.Split('\n').Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.True(offsets.Contains($"monotonic {tenDays} 0"), $"timens_offsets lacks the monotonic offset:\n{r}");
        Assert.True(offsets.Contains($"boottime {tenDays} 0"), $"timens_offsets lacks the boottime offset:\n{r}");
        Assert.NotEqual(new FileInfo("/proc/self/ns/time").LinkTarget, kv.GetValueOrDefault("timens"));
        Env.AssertNoLeaks();
    }

    [Fact]
    public void CgroupNamespace_RootedAtContainerCgroup()
    {
        Bundle.SetNamespace("cgroup");
        Bundle.SetShell("cat /proc/self/cgroup; echo ==; ls /sys/fs/cgroup; echo ==; readlink /proc/self/ns/cgroup");
        var r = RunOk("cgroup namespace");
        var parts = r.Stdout.Split("==\n");
        Assert.True(parts.Length == 3, $"unexpected probe output:\n{r}");
        var lines = parts[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 0 && lines.All(l => l.EndsWith(":/", StringComparison.Ordinal)),
            $"/proc/self/cgroup inside a cgroup namespace must show '/' for every hierarchy:\n{r}");
        var entries = parts[1].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var controller in new[] { "cpu", "memory", "pids", "devices", "freezer" })
        {
            if (Directory.Exists(Path.Combine("/sys/fs/cgroup", controller)))
            {
                Assert.True(entries.Contains(controller), $"/sys/fs/cgroup inside lacks '{controller}':\n{r}");
            }
        }
        Assert.NotEqual(new FileInfo("/proc/self/ns/cgroup").LinkTarget, parts[2].Trim());
        Env.AssertNoLeaks();
    }

    [Fact]
    public void StatePid_IsInitInOwnPidNamespace()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pidFile = Path.Combine(Env.Dir, "init.pid");
        var run = RunContainer(id, "-d", "--pid-file", pidFile);
        Assert.True(run.Succeeded, $"run -d failed:\n{run}");
        var pid = StateJson(id)["pid"]!.GetValue<int>();
        var filePid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        var pidNs = new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;
        var nsPid = BundleConfigExtensions.ProcStatusField(pid, "NSpid");
        var rootHasMarker = File.Exists($"/proc/{pid}/root/{Env.RootfsMarker}");
        var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        Rt.MustRun("delete", "--force", id);

        Assert.Equal(pid, filePid);
        Assert.NotEqual(new FileInfo("/proc/self/ns/pid").LinkTarget, pidNs);
        Assert.True(nsPid is not null && nsPid.Split('\t', StringSplitOptions.RemoveEmptyEntries).Last() == "1", $"state pid {pid} is not pid 1 of its namespace (NSpid: {nsPid})");
        Assert.True(rootHasMarker, $"/proc/{pid}/root is not the container rootfs");
        Assert.Equal("sleep 100", cmdline);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void JoinPidNamespaceByPath_SeesHolderInit()
    {
        Bundle.SetArgs("sleep", "100");
        var holder = Env.NewId();
        var run = RunContainer(holder, "-d");
        Assert.True(run.Succeeded, $"holder run -d failed:\n{run}");
        var pid = StateJson(holder)["pid"]!.GetValue<int>();
        var holderPidNs = new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;

        Bundle.SetNamespace("pid", $"/proc/{pid}/ns/pid");
        Bundle.SetShell("echo pidns=$(readlink /proc/self/ns/pid); echo init=$(tr '\\0' ' ' < /proc/1/cmdline); echo self=$$");
        var joiner = RunContainer(Env.NewId());
        Rt.MustRun("delete", "--force", holder);

        Assert.True(joiner.Succeeded, $"run joining /proc/{pid}/ns/pid failed:\n{joiner}");
        var kv = KeyValues(joiner.Stdout);
        Assert.True(kv.GetValueOrDefault("pidns") == holderPidNs, $"pid namespace not joined (holder {holderPidNs}):\n{joiner}");
        Assert.True(kv.GetValueOrDefault("init") == "sleep 100", $"/proc/1 inside is not the holder's init:\n{joiner}");
        Assert.True(kv.GetValueOrDefault("self") != "1", $"joiner became pid 1 of the joined namespace:\n{joiner}");
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// Full probe (mounts, /dev, caps, ids) of a user-namespaced container compared with the reference runtime.
    /// The group of /dev/mqueue is not compared: runc 1.1 mounts it before setgid(0), so it shows the overflow gid 65534.
    /// </summary>
    [Fact]
    public void UserNamespace_ProbeMatchesReference()
    {
        ConfigureUserNamespace();
        Bundle.AddMount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777");
        Bundle.SetShell(
            "id; grep -E '^(Cap|Uid|Gid|Groups)' /proc/self/status; cut -d' ' -f5 /proc/self/mountinfo | sort; " +
            "stat -c '%n %F %a %u:%g %t:%T' $(ls -d /dev/* | grep -v mqueue) | sort; stat -c '%n %F %a %u' /dev/mqueue; stat -c '%n %u:%g' / /bin/busybox /etc/passwd; " +
            "cat /proc/self/setgroups; echo x > /dev/null && echo devnull=ok");
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);
        Env.AssertNoLeaks();
    }
}
