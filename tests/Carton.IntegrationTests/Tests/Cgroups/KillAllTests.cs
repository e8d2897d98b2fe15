using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>`kill --all` signals every process of the container's cgroup, not only init.</summary>
public sealed class KillAllTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    /// <param name="pidNamespace">without a pid namespace, killing init alone would leave the sleeps running.</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void KillAll_KillsEveryProcessInTheCgroup(bool pidNamespace)
    {
        if (!pidNamespace)
        {
            Bundle.Mutate(_ =>
            {
                var ns = (JsonArray)Bundle.Linux["namespaces"]!;
                ns.Remove(ns.Single(n => n!["type"]!.GetValue<string>() == "pid"));
            });
        }
        Bundle.SetShell("sleep 100 & sleep 100 & wait");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        var pidsDir = CgroupPaths.Dir(pid, "pids");
        Assert.True(Poll.Until(() => CgroupProcs(pidsDir).Length == 3, TimeSpan.FromSeconds(5)), $"cgroup.procs: {string.Join(",", CgroupProcs(pidsDir))}");
        var procs = CgroupProcs(pidsDir);

        var kill = Rt.Exec(["kill", "--all", id, "KILL"]);
        Assert.True(kill.Succeeded, $"kill --all failed:\n{kill}");
        Assert.True(Poll.Until(() => CgroupProcs(pidsDir).Length == 0, TimeSpan.FromSeconds(5)),
            $"processes left in the cgroup after kill --all: {string.Join(",", CgroupProcs(pidsDir))}");
        Assert.True(Poll.Until(() => procs.All(p => !Alive(p)), TimeSpan.FromSeconds(5)),
            $"still alive after kill --all: {string.Join(",", procs.Where(Alive))}");
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status after kill --all: {Rt.Status(id)}");
        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }

    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
