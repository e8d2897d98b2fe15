using System.Globalization;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Exec;

/// <summary>
/// Helpers for `exec` tests: a detached `sleep` container (spec defaults: pid/mount/net/ipc/uts namespaces,
/// terminal false) in the runtime under test and, for differential tests, in DIFF_RUNTIME.
/// </summary>
public abstract class ExecTestBase(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    /// <summary>`run -d` of a `sleep 1000` container in <paramref name="rt"/>; returns the container's init pid (host view).</summary>
    protected int StartSleeper(Runtime rt, string id)
    {
        Bundle.SetArgs("sleep", "1000");
        var r = rt.Exec(["run", "-d", "--bundle", Bundle.Dir, id]);
        Assert.True(r.Succeeded, $"{rt.Name} run -d failed:\n{r}");
        var state = rt.State(id);
        Assert.True(state.Succeeded, $"{rt.Name} state failed:\n{state}");
        var pid = JsonNode.Parse(state.Stdout)!["pid"]!.GetValue<int>();
        Assert.True(pid > 0, $"no init pid in state:\n{state}");
        return pid;
    }

    /// <summary>`exec [flags...] id cmd...`.</summary>
    protected static ProcessResult ExecIn(Runtime rt, string id, string[] flags, params string[] command) =>
        rt.Exec(["exec", .. flags, id, .. command]);

    /// <summary>Reference runtime with its own --root in the sandbox.</summary>
    protected Runtime Reference => _reference ??= Env.AddRuntime(Fixture.DiffRuntimePath, "diff-root");

    private Runtime? _reference;

    /// <summary>delete --force of both containers then the full leak check.</summary>
    protected void DeleteAndCheckLeaks(params (Runtime Rt, string Id)[] containers)
    {
        foreach (var (rt, id) in containers)
        {
            var d = rt.Exec(["delete", "--force", id]);
            Assert.True(d.Succeeded, $"{rt.Name} delete --force failed:\n{d}");
        }
        Env.AssertNoLeaks();
    }

    protected static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);
}
