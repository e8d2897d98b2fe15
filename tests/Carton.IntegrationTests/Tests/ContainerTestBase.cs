using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>Base for container tests: a fresh <see cref="ContainerTestEnv"/> per test.</summary>
[Collection(ContainerCollection.Name)]
public abstract class ContainerTestBase : IDisposable
{
    protected ContainerTestBase(RuntimeFixture fixture)
    {
        Fixture = fixture;
        Env = new ContainerTestEnv(fixture);
    }

    protected RuntimeFixture Fixture { get; }

    protected ContainerTestEnv Env { get; }

    protected Runtime Rt => Env.Runtime;

    protected Bundle Bundle => Env.Bundle;

    /// <summary>`run --bundle &lt;bundle&gt; [extra...] id`.</summary>
    protected ProcessResult RunContainer(string id, params string[] extra) =>
        Rt.Exec(["run", "--bundle", Bundle.Dir, .. extra, id]);

    protected ProcessResult CreateContainer(string id, params string[] extra) =>
        Rt.Exec(["create", "--bundle", Bundle.Dir, .. extra, id]);

    protected JsonNode StateJson(string id)
    {
        var r = Rt.State(id);
        Assert.True(r.Succeeded, $"state failed:\n{r}");
        return JsonNode.Parse(r.Stdout) ?? throw new InvalidDataException("state printed null");
    }

    protected static void AssertFailed(ProcessResult r, string what)
    {
        Assert.False(r.TimedOut, $"{what}: runtime timed out:\n{r}");
        Assert.True(r.ExitCode != 0, $"{what}: expected a non-zero exit code:\n{r}");
        Assert.True(r.Stderr.Trim().Length > 0, $"{what}: expected an error message on stderr:\n{r}");
    }

    public void Dispose()
    {
        Env.Dispose();
        GC.SuppressFinalize(this);
    }
}
