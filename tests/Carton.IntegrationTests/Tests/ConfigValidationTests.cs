using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>Invalid config fields are rejected at create, naming the offending field, leaving nothing behind.</summary>
public sealed class ConfigValidationTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Fact]
    public void UnknownRlimitType_Rejected()
    {
        Bundle.SetArgs("true");
        Bundle.SetProcess("rlimits", new JsonArray(new JsonObject { ["type"] = "RLIMIT_BOGUS", ["soft"] = 1, ["hard"] = 1 }));
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create with an unknown rlimit type");
        Assert.True(r.Stderr.Contains("RLIMIT_BOGUS", StringComparison.Ordinal), $"error does not name the bad rlimit:\n{r}");
        if (!Fixture.RuntimeIsRunc)
        {
            // runc: "failed to map rlimit type RLIMIT_BOGUS" style wording; carton names the JSON path.
            Assert.True(r.Stderr.Contains("process.rlimits[0].type", StringComparison.Ordinal), $"error does not name process.rlimits[0].type:\n{r}");
        }
        Env.AssertNoLeaks();
    }

    /// <summary>OCI: mount destination MUST be absolute (runc 1.1 only warns and resolves it against /).</summary>
    [SkipOnRuncFact("runc 1.1.x accepts relative mount destinations with a warning")]
    public void RelativeMountDestination_Rejected()
    {
        Bundle.SetArgs("true");
        Bundle.Mutate(c => ((JsonArray)c["mounts"]!).Insert(0, new JsonObject
        {
            ["destination"] = "tmp/relative", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = Bundle.ToArray(["size=64k"]),
        }));
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create with a relative mount destination");
        Assert.True(r.Stderr.Contains("mounts[0].destination", StringComparison.Ordinal), $"error does not name mounts[0].destination:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void UnknownNamespaceType_Rejected()
    {
        Bundle.SetArgs("true");
        Bundle.SetNamespace("bogus");
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create with an unknown namespace type");
        Assert.True(r.Stderr.Contains("bogus", StringComparison.Ordinal), $"error does not name the namespace type:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void UserNamespaceWithoutMappings_Rejected()
    {
        Bundle.SetArgs("true");
        Bundle.SetNamespace("user");
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create with a user namespace but no uid/gid mappings");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void JoinNamespaceBadPath_Rejected()
    {
        Bundle.SetArgs("true");
        Bundle.SetNamespace("network", "/proc/self/ns/does-not-exist");
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create joining a missing namespace path");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void HostnameWithoutUtsNamespace_Rejected()
    {
        Bundle.SetArgs("true");
        Bundle.SetHostname("no-uts");
        Bundle.RemoveNamespace("uts");
        var hostname = File.ReadAllText("/proc/sys/kernel/hostname");
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create with a hostname but no UTS namespace");
        Assert.Equal(hostname, File.ReadAllText("/proc/sys/kernel/hostname"));
        Env.AssertNoLeaks();
    }

    [Fact]
    public void RelativePidFile_ResolvedAgainstCwd()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var r = Rt.Exec(["create", "--bundle", Bundle.Dir, "--pid-file", "rel.pid", id], workingDirectory: Env.Dir);
        Assert.True(r.Succeeded, $"create --pid-file rel.pid failed:\n{r}");
        var path = Path.Combine(Env.Dir, "rel.pid");
        Assert.True(File.Exists(path), $"relative pid file not written in the caller's cwd:\n{r}");
        Assert.Equal(StateJson(id)["pid"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(path).Trim());
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }
}
