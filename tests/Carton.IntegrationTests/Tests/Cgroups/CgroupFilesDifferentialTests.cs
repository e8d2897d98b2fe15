using System.Text;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>The same linux.resources under both runtimes must produce the same host cgroup files.</summary>
public sealed class CgroupFilesDifferentialTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    private static readonly (string Controller, string File)[] Files =
    [
        ("memory", "memory.limit_in_bytes"), ("memory", "memory.soft_limit_in_bytes"), ("memory", "memory.swappiness"),
        ("memory", "memory.memsw.limit_in_bytes"), ("memory", "memory.oom_control"),
        ("cpu", "cpu.shares"), ("cpu", "cpu.cfs_quota_us"), ("cpu", "cpu.cfs_period_us"),
        ("cpuset", "cpuset.cpus"), ("cpuset", "cpuset.mems"), ("pids", "pids.max"),
        ("blkio", "blkio.weight"), ("blkio", "blkio.bfq.weight"), ("devices", "devices.list"), ("freezer", "freezer.state"),
    ];

    public static TheoryData<string> Variants => ["full", "defaults"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void CgroupFilesMatchReferenceRuntime(string variant)
    {
        if (variant == "full")
        {
            Bundle.Mutate(_ =>
            {
                Resources["memory"] = new JsonObject { ["limit"] = 128 * MiB, ["reservation"] = 64 * MiB, ["swappiness"] = 10 };
                Resources["cpu"] = new JsonObject { ["shares"] = 256, ["quota"] = 30000, ["period"] = 100000, ["cpus"] = "0", ["mems"] = "0" };
                Resources["pids"] = new JsonObject { ["limit"] = 50 };
                Resources["blockIO"] = new JsonObject { ["weight"] = 300 };
            });
        }
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var refId = Env.NewId();
        var pid = RunDetached(Rt, id);
        var refPid = RunDetached(Reference, refId);

        var mine = CgroupPaths.ForPid(pid);
        var theirs = CgroupPaths.ForPid(refPid);
        var sb = new StringBuilder();
        var all = new StringBuilder();
        var hierarchies = string.Join(",", mine.Keys.Order());
        var refHierarchies = string.Join(",", theirs.Keys.Order());
        if (hierarchies != refHierarchies)
        {
            sb.AppendLine($"hierarchies: {Rt.Name}={hierarchies} {Reference.Name}={refHierarchies}");
        }
        foreach (var key in mine.Keys.Intersect(theirs.Keys).Order())
        {
            var a = mine[key].Replace(id, "<id>");
            var b = theirs[key].Replace(refId, "<id>");
            if (a != b)
            {
                sb.AppendLine($"cgroup path [{key}]: {Rt.Name}={a} {Reference.Name}={b}");
            }
        }
        foreach (var (controller, file) in Files)
        {
            var a = Read(mine, controller, file);
            var b = Read(theirs, controller, file);
            if (file == "devices.list")
            {
                // The v1 exception list's order follows write order (runc writes through its rule emulator); it has no meaning.
                a = string.Join(" | ", a.Split(" | ").Order(StringComparer.Ordinal));
                b = string.Join(" | ", b.Split(" | ").Order(StringComparer.Ordinal));
            }
            all.AppendLine($"{file}: {Rt.Name}=[{a}] {Reference.Name}=[{b}]");
            if (a != b)
            {
                sb.AppendLine($"{file}: {Rt.Name}=[{a}] {Reference.Name}=[{b}]");
            }
        }
        Assert.True(sb.Length == 0, $"cgroup files differ ({variant}):\n{sb}\nall files:\n{all}");
        if (variant == "full")
        {
            Assert.Equal((128 * MiB).ToString(), Read(mine, "memory", "memory.limit_in_bytes"));
            Assert.Equal("50", Read(mine, "pids", "pids.max"));
        }
        Rt.MustRun("delete", "--force", id);
        Reference.MustRun("delete", "--force", refId);
        Env.AssertNoLeaks();
    }

    private static string Read(Dictionary<string, string> dirs, string controller, string file)
    {
        if (!dirs.TryGetValue(controller, out var dir))
        {
            return "(no cgroup)";
        }
        var path = Path.Combine(dir, file);
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim().Replace("\n", " | ") : "(missing)";
        }
        catch (IOException e)
        {
            return "(error " + e.Message + ")";
        }
    }
}
