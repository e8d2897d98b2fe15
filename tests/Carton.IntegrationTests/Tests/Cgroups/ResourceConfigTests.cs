using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>linux.resources values that the kernel or the runtime rejects: `create` fails cleanly with a useful message.</summary>
public sealed class ResourceConfigTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    /// <summary>(resources JSON, word the error must contain). All of them fail under runc 1.1.5 on this host.</summary>
    public static TheoryData<string, string> Rejected => new()
    {
        { """{"memory":{"limit":4096}}""", "memory" },
        { """{"memory":{"limit":33554432,"swap":16777216}}""", "memory" },
        { """{"cpu":{"cpus":"63"}}""", "cpus" },
        { """{"cpu":{"shares":1}}""", "shares" },
        { """{"unified":{"pids.max":"5"}}""", "unified" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsResources_WithMessage(string resources, string word)
    {
        Bundle.SetLinux("resources", JsonNode.Parse(resources));
        Bundle.SetArgs("sleep", "100");
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, $"create with resources {resources}");
        Assert.True(r.Stderr.Contains(word, StringComparison.OrdinalIgnoreCase), $"error for {resources} does not mention '{word}':\n{r}");
        Env.AssertNoLeaks();
    }

    /// <summary>Values both runtimes accept: pids.limit 0 and -1 both mean "max" in runc 1.1.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void PidsLimit_ZeroAndMinusOne_MeanMax(int limit)
    {
        SetResource("pids", new JsonObject { ["limit"] = limit });
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        Assert.Equal("max", CgroupPaths.Read(pid, "pids", "pids.max"));
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    /// <summary>An absolute linux.cgroupsPath is used as given in every hierarchy (relative to the hierarchy root).</summary>
    [Fact]
    public void CgroupsPath_Absolute_UsedAndRemoved()
    {
        var leaf = "/carton-it-" + Guid.NewGuid().ToString("N")[..8] + "/ctr";
        Bundle.SetLinux("cgroupsPath", leaf);
        SetResource("pids", new JsonObject { ["limit"] = 12 });
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        var pidsDir = CgroupPaths.Dir(pid, "pids");
        Assert.True(pidsDir.EndsWith(leaf, StringComparison.Ordinal), $"pids cgroup {pidsDir} is not {leaf}");
        Assert.Equal("12", File.ReadAllText(Path.Combine(pidsDir, "pids.max")).Trim());
        Rt.MustRun("delete", "--force", id);
        // Both runtimes leave the (empty) parent directory behind; remove it so LeakCheck judges only the leaf.
        var parent = leaf[..leaf.LastIndexOf('/')];
        foreach (var dir in Directory.EnumerateDirectories("/sys/fs/cgroup").Select(h => h + parent).Concat(
                     Directory.EnumerateDirectories("/sys/fs/cgroup/memory", "*", SearchOption.AllDirectories).Where(d => d.EndsWith(parent, StringComparison.Ordinal))).ToList())
        {
            if (Directory.Exists(dir) && !Directory.Exists(dir + "/ctr"))
            {
                try
                {
                    Directory.Delete(dir);
                }
                catch (IOException)
                {
                }
            }
        }
        Env.AssertNoLeaks();
    }
}
