using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>Helpers shared by the feature tests (probe runs, differential runs).</summary>
public abstract class FeatureTestBase(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    /// <summary>Foreground `run` of the bundle; asserts exit 0 and returns the result.</summary>
    protected ProcessResult RunOk(string what, params string[] extra)
    {
        var r = RunContainer(Env.NewId(), extra);
        Assert.True(r.Succeeded, $"{what}: run failed:\n{r}");
        return r;
    }

    /// <summary>Runs the bundle under the runtime under test and under DIFF_RUNTIME; returns (actual, reference).</summary>
    protected (ProcessResult Actual, ProcessResult Reference) RunBoth()
    {
        var reference = Env.AddRuntime(Fixture.DiffRuntimePath, "diff-root");
        var actual = Rt.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()]);
        var expected = reference.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()]);
        return (actual, expected);
    }

    /// <summary>Asserts both runs succeeded and printed the same stdout.</summary>
    protected void AssertSameOutput(ProcessResult actual, ProcessResult reference)
    {
        Assert.True(reference.Succeeded, $"reference runtime failed:\n{reference}");
        Assert.True(actual.Succeeded, $"runtime under test failed:\n{actual}\n\nreference:\n{reference}");
        var diff = LineDiff.Diff("reference (DIFF_RUNTIME) stdout", reference.Stdout, $"{Rt.Name} (OCI_RUNTIME) stdout", actual.Stdout);
        Assert.True(diff is null, $"stdout differs between runtimes:\n{diff}\n\nruntime under test:\n{actual}\n\nreference:\n{reference}");
    }

    /// <summary>Fails with the result dump when <paramref name="r"/>'s stdout lacks <paramref name="expected"/>.</summary>
    protected static void AssertStdoutContains(ProcessResult r, string expected) =>
        Assert.True(r.Stdout.Contains(expected, StringComparison.Ordinal), $"stdout lacks '{expected}':\n{r}");

    /// <summary>Value of "key=value" lines printed by a probe script.</summary>
    protected static Dictionary<string, string> KeyValues(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains('='))
            .Select(l => (Key: l[..l.IndexOf('=')], Value: l[(l.IndexOf('=') + 1)..]))
            .GroupBy(kv => kv.Key)
            .ToDictionary(g => g.Key, g => g.Last().Value.Trim());
}
