using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>
/// Invalid bundles, ids and hooks: the runtime must exit non-zero with a message on stderr and leave
/// nothing behind (LeakCheck) and nothing in `list -q`.
/// </summary>
public sealed class BadInputTests(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    private void AssertRejectedAndClean(ProcessResult r, string what)
    {
        AssertFailed(r, what);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void MissingRootfs()
    {
        Bundle.SetArgs("true");
        Directory.Delete(Bundle.Rootfs, recursive: true);
        AssertRejectedAndClean(RunContainer(Env.NewId()), "run with missing rootfs");
    }

    [Fact]
    public void InvalidJsonConfig()
    {
        _ = Bundle;
        File.WriteAllText(Path.Combine(Env.BundleDir, "config.json"), "{ \"ociVersion\": \"1.0.2\", \"process\": ");
        AssertRejectedAndClean(RunContainer(Env.NewId()), "run with invalid config.json");
    }

    [Fact]
    public void EmptyProcessArgs()
    {
        Bundle.Mutate(_ => Bundle.Process["args"] = new JsonArray());
        AssertRejectedAndClean(RunContainer(Env.NewId()), "run with empty process.args");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("")]
    public void InvalidContainerId(string id)
    {
        Bundle.SetArgs("true");
        var r = CreateContainer(id);
        AssertRejectedAndClean(r, $"create with id '{id}'");
        Assert.False(Path.Exists(Path.Combine(Env.Dir, "x")), "'../x' escaped the state root");
        Assert.False(Path.Exists(Path.Combine(Env.Runtime.Root, "a")), "'a/b' created a state directory");
    }

    [Fact]
    public void DuplicateId_SecondCreateFails_FirstUnaffected()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(CreateContainer(id) is { Succeeded: true }, "first create failed");
        var before = StateJson(id);

        var dup = CreateContainer(id);
        AssertFailed(dup, "second create with the same id");

        var after = StateJson(id);
        Assert.Equal("created", after["status"]!.GetValue<string>());
        Assert.Equal(before["pid"]!.GetValue<int>(), after["pid"]!.GetValue<int>());
        Assert.Equal(before["created"]!.GetValue<string>(), after["created"]!.GetValue<string>());
        Assert.Equal([id], Rt.ListIds());

        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void ExecutableMissingInRootfs()
    {
        Bundle.SetArgs("/bin/does-not-exist");
        AssertRejectedAndClean(RunContainer(Env.NewId()), "run of a missing executable");
    }

    [Theory]
    [InlineData("prestart")]
    [InlineData("createRuntime")]
    public void FailingHook_FailsRun(string hook)
    {
        Bundle.SetArgs("true");
        Bundle.AddHook(hook, "/bin/sh", ["sh", "-c", "exit 1"]);
        AssertRejectedAndClean(RunContainer(Env.NewId()), $"run with a failing {hook} hook");
    }

    [Fact]
    public void HookTimeout_FailsRun()
    {
        Bundle.SetArgs("true");
        Bundle.AddHook("createRuntime", "/bin/sh", ["sh", "-c", "exec sleep 5"], timeout: 1);
        var r = RunContainer(Env.NewId());
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(10), $"hook timeout not enforced:\n{r}");
        AssertRejectedAndClean(r, "run with a hook exceeding its timeout");
    }
}
