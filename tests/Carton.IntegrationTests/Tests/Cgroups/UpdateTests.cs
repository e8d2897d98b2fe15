using System.Text;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>`update` with runc's flags and with -r resources.json, checked on the host cgroup files.</summary>
public sealed class UpdateTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    private static readonly (string Controller, string File)[] Files =
    [
        ("memory", "memory.limit_in_bytes"), ("memory", "memory.memsw.limit_in_bytes"), ("memory", "memory.soft_limit_in_bytes"),
        ("cpu", "cpu.shares"), ("cpu", "cpu.cfs_quota_us"), ("cpu", "cpu.cfs_period_us"), ("pids", "pids.max"),
    ];

    private static readonly string[] FlagUpdate =
        ["update", "--memory", "64m", "--cpu-share", "512", "--pids-limit", "33", "--cpu-quota", "20000", "--cpu-period", "100000"];

    [Fact]
    public void Update_Flags_WriteCgroupFiles()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        var r = Rt.Exec([.. FlagUpdate, id]);
        Assert.True(r.Succeeded, $"update failed:\n{r}");
        var actual = Snapshot(pid);
        Assert.True(actual["memory.limit_in_bytes"] == "67108864", Dump(actual));
        Assert.True(actual["cpu.shares"] == "512", Dump(actual));
        Assert.True(actual["pids.max"] == "33", Dump(actual));
        Assert.True(actual["cpu.cfs_quota_us"] == "20000", Dump(actual));
        Assert.True(actual["cpu.cfs_period_us"] == "100000", Dump(actual));
        Assert.Equal("running", Rt.Status(id));
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Update_ResourcesFile_SetsPidsLimit()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        var file = Path.Combine(Env.Dir, "resources.json");
        File.WriteAllText(file, """{"pids":{"limit":44}}""");
        var r = Rt.Exec(["update", "-r", file, id]);
        Assert.True(r.Succeeded, $"update -r failed:\n{r}");
        Assert.Equal("44", CgroupPaths.Read(pid, "pids", "pids.max"));
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    /// <summary>Same bundle and same updates under both runtimes: every cgroup file must end up identical.</summary>
    [Fact]
    public void Update_MatchesReferenceRuntime()
    {
        Bundle.SetArgs("sleep", "100");
        var file = Path.Combine(Env.Dir, "resources.json");
        File.WriteAllText(file, """{"pids":{"limit":44},"memory":{"reservation":33554432}}""");
        var id = Env.NewId();
        var refId = Env.NewId();
        var pid = RunDetached(Rt, id);
        var refPid = RunDetached(Reference, refId);

        var sb = new StringBuilder();
        foreach (var args in new[] { FlagUpdate, new[] { "update", "-r", file } })
        {
            var a = Rt.Exec([.. args, id]);
            var b = Reference.Exec([.. args, refId]);
            Assert.True(b.Succeeded, $"reference update failed:\n{b}");
            Assert.True(a.Succeeded, $"update failed:\n{a}\n\nreference:\n{b}");
            var mine = Snapshot(pid);
            var theirs = Snapshot(refPid);
            foreach (var (_, f) in Files)
            {
                if (mine[f] != theirs[f])
                {
                    sb.AppendLine($"after `{string.Join(' ', args)}`: {f}: {Rt.Name}={mine[f]} {Reference.Name}={theirs[f]}");
                }
            }
        }
        Assert.True(sb.Length == 0, "cgroup files differ after identical updates:\n" + sb);
        Rt.MustRun("delete", "--force", id);
        Reference.MustRun("delete", "--force", refId);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Update_InvalidMemoryValue_Fails()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        var before = CgroupPaths.Read(pid, "memory", "memory.limit_in_bytes");
        var r = Rt.Exec(["update", "--memory", "12zz", id]);
        AssertFailed(r, "update --memory 12zz");
        // runc: invalid value for memory: invalid size: '12zz'
        Assert.True(r.Stderr.Contains("memory", StringComparison.Ordinal), $"error does not name --memory:\n{r}");
        Assert.Equal(before, CgroupPaths.Read(pid, "memory", "memory.limit_in_bytes"));
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Update_StoppedContainer_Fails()
    {
        Bundle.SetArgs("true");
        var id = Env.NewId();
        Rt.MustRun("run", "-d", "--bundle", Bundle.Dir, id);
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status: {Rt.Status(id)}");
        var r = Rt.Exec(["update", "--pids-limit", "20", id]);
        var reference = Reference.Exec(["run", "-d", "--bundle", Bundle.Dir, Env.TrackId(id + "r")]);
        Assert.True(reference.Succeeded, reference.ToString());
        Assert.True(Reference.WaitForStatus(id + "r", "stopped"), "reference container did not stop");
        var refUpdate = Reference.Exec(["update", "--pids-limit", "20", id + "r"]);
        Assert.True(r.Succeeded == refUpdate.Succeeded,
            $"update of a stopped container: runtimes disagree\n{Rt.Name}:\n{r}\n{Reference.Name}:\n{refUpdate}");
        Rt.MustRun("delete", id);
        Reference.MustRun("delete", id + "r");
        Env.AssertNoLeaks();
    }

    private static Dictionary<string, string> Snapshot(int pid) =>
        Files.ToDictionary(f => f.File, f =>
        {
            var path = Path.Combine(CgroupPaths.Dir(pid, f.Controller), f.File);
            return File.Exists(path) ? File.ReadAllText(path).Trim() : "(missing)";
        });

    private static string Dump(Dictionary<string, string> files) => string.Join("\n", files.Select(kv => $"{kv.Key}={kv.Value}"));
}
