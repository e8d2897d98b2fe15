using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>Helpers for the linux.resources / cgroup command tests.</summary>
public abstract class CgroupTestBase(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    protected const long MiB = 1024 * 1024;

    private Runtime? _reference;

    /// <summary>DIFF_RUNTIME with its own --root in the sandbox (created once per test).</summary>
    protected Runtime Reference => _reference ??= Env.AddRuntime(Fixture.DiffRuntimePath, "diff-root");

    /// <summary>linux.resources (created on demand); edits are saved immediately.</summary>
    protected JsonObject Resources => (JsonObject)(Bundle.Linux["resources"] ??= new JsonObject());

    /// <summary>Sets linux.resources.<paramref name="key"/> and saves config.json.</summary>
    protected void SetResource(string key, JsonNode? value) => Bundle.Mutate(_ => Resources[key] = value);

    /// <summary>`run -d` under <paramref name="rt"/>; asserts success and returns the init pid.</summary>
    protected int RunDetached(Runtime rt, string id)
    {
        var r = rt.Exec(["run", "-d", "--bundle", Bundle.Dir, id]);
        Assert.True(r.Succeeded, $"{rt.Name} run -d failed:\n{r}");
        return Pid(rt, id);
    }

    protected int Pid(Runtime rt, string id)
    {
        var s = rt.State(id);
        Assert.True(s.Succeeded, $"{rt.Name} state failed:\n{s}");
        var pid = JsonNode.Parse(s.Stdout)?["pid"]?.GetValue<int>() ?? 0;
        Assert.True(pid > 0, $"{rt.Name} state has no pid:\n{s}");
        return pid;
    }

    /// <summary>`events --stats id` parsed; asserts success.</summary>
    protected static JsonNode Stats(Runtime rt, string id)
    {
        var r = rt.Exec(["events", "--stats", id]);
        Assert.True(r.Succeeded, $"{rt.Name} events --stats failed:\n{r}");
        var line = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        Assert.True(line is not null, $"{rt.Name} events --stats printed nothing:\n{r}");
        try
        {
            return JsonNode.Parse(line!) ?? throw new InvalidDataException("null");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            Assert.Fail($"{rt.Name} events --stats did not print JSON ({e.Message}):\n{r}");
            throw;
        }
    }

    /// <summary>All pids (host view) in the container's cgroup of <paramref name="controller"/>.</summary>
    protected static int[] CgroupProcs(string dir) =>
        !File.Exists(Path.Combine(dir, "cgroup.procs"))
            ? []
            : File.ReadAllLines(Path.Combine(dir, "cgroup.procs")).Where(l => l.Length > 0).Select(int.Parse).ToArray();

    protected static long Long(JsonNode? node) => node is null ? 0 : node.GetValue<long>();
}
