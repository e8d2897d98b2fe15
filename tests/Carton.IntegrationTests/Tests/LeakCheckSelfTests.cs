using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>Guards the guard: LeakCheck must notice a container that was not deleted.</summary>
public sealed class LeakCheckSelfTests(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    [Fact]
    public void DetectsUndeletedContainer()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(RunContainer(id, "-d").Succeeded, "run -d failed");

        var report = Env.Leaks.Describe();
        Assert.True(report is not null, "LeakCheck saw nothing while a container is running");
        Assert.Contains("state root entry", report);
        Assert.Contains("container-related process", report);
        Assert.Contains("cgroup dir", report);

        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }
}
