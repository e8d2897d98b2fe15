using System.Diagnostics;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>No cgroup directory (in any v1 hierarchy or /sys/fs/cgroup/unified), state or process survives delete.</summary>
public sealed class CgroupCleanupTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    private void AllResources()
    {
        Bundle.Mutate(_ =>
        {
            Resources["memory"] = new JsonObject { ["limit"] = 64 * MiB, ["reservation"] = 32 * MiB };
            Resources["cpu"] = new JsonObject { ["shares"] = 512, ["quota"] = 50000, ["period"] = 100000, ["cpus"] = "0", ["mems"] = "0" };
            Resources["pids"] = new JsonObject { ["limit"] = 20 };
        });
    }

    [Fact]
    public void DeleteForce_RunningContainerWithResources_LeavesNoCgroupDirs()
    {
        AllResources();
        Bundle.SetShell("sleep 100 & sleep 100 & wait");
        var id = Env.NewId();
        var pid = RunDetached(Rt, id);
        var dirs = CgroupPaths.ForPid(pid);
        Assert.True(dirs.ContainsKey("unified"), $"no cgroup2 (unified) entry in /proc/{pid}/cgroup: {string.Join(", ", dirs)}");
        Assert.All(dirs.Values, d => Assert.True(Directory.Exists(d), $"{d} does not exist"));
        var delete = Rt.Exec(["delete", "--force", id]);
        Assert.True(delete.Succeeded, $"delete --force failed:\n{delete}");
        var left = dirs.Values.Where(Directory.Exists).ToList();
        Assert.True(left.Count == 0, $"cgroup dirs left after delete --force: {string.Join(", ", left)}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Delete_AfterOomKill_LeavesNoCgroupDirs()
    {
        Bundle.Mutate(_ => Resources["memory"] = new JsonObject { ["limit"] = 16 * MiB, ["swap"] = 16 * MiB });
        Bundle.SetShell("x=aaaaaaaaaa; while true; do x=$x$x; done");
        var id = Env.NewId();
        Rt.MustRun("run", "-d", "--bundle", Bundle.Dir, id);
        Assert.True(Rt.WaitForStatus(id, "stopped", TimeSpan.FromSeconds(15)), $"status: {Rt.Status(id)}");
        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// `create` SIGKILLed while its createRuntime hook runs (cgroups and init already set up): `delete --force id`
    /// must exit 0 and clean up cgroup dirs, state dir and the half-created container's processes.
    /// runc 1.1.5 exits 0 here but leaves the container's cgroup directory in every hierarchy.
    /// </summary>
    [SkipOnRuncFact("runc 1.1.5 leaves the cgroup dirs of a create killed during its createRuntime hook")]
    public void DeleteForce_AfterCreateKilledMidway_CleansUp()
    {
        AllResources();
        Bundle.SetArgs("sleep", "100");
        var hook = Path.Combine(Env.Dir, "hook-" + Guid.NewGuid().ToString("N")[..8] + ".sh");
        File.WriteAllText(hook, "#!/bin/sh\nsleep 10\n");
        File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);
        Bundle.AddHook("createRuntime", hook, [hook]);
        var id = Env.NewId();

        int[] containerPids;
        string stderr;
        using (var create = new BackgroundProcess(Rt.Binary, ["--root", Rt.Root, "create", "--bundle", Bundle.Dir, id]))
        {
            var hookStarted = Poll.Until(() => HookPids(hook).Length > 0, TimeSpan.FromSeconds(10));
            Assert.True(hookStarted, $"createRuntime hook never started:\n{create}");
            Thread.Sleep(1000);
            containerPids = PidsInCgroupNamed(id);
            Process.GetProcessById(create.Pid).Kill(); // SIGKILL, the runtime only
            Assert.True(create.WaitForExit(TimeSpan.FromSeconds(5)), "create did not die");
            stderr = create.Stderr;
        }

        var delete = Rt.Exec(["delete", "--force", id], timeout: TimeSpan.FromSeconds(20));
        // The orphaned hook belongs to the killed create, not to the container: stop it before checking.
        foreach (var p in HookPids(hook).SelectMany(p => Children(p).Append(p)))
        {
            try
            {
                Process.GetProcessById(p).Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        Assert.True(delete.Succeeded, $"delete --force after a killed create failed:\n{delete}\n(create stderr: {stderr}; container pids seen: {string.Join(",", containerPids)})");
        Assert.True(Poll.Until(() => containerPids.All(p => !File.Exists($"/proc/{p}/stat") || File.ReadAllText($"/proc/{p}/stat").Contains(") Z ")), TimeSpan.FromSeconds(5)),
            $"processes of the half-created container still alive: {string.Join(", ", containerPids.Where(p => File.Exists($"/proc/{p}/cmdline")).Select(p => p + " " + File.ReadAllText($"/proc/{p}/cmdline").Replace('\0', ' ')))}");
        var state = Rt.State(id);
        Assert.False(state.Succeeded, $"state still works after delete --force:\n{state}");
        Env.AssertNoLeaks();
    }

    private static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(n => int.Parse(n!));

    private static int[] HookPids(string hook) =>
        AllPids().Where(p =>
        {
            try
            {
                return File.ReadAllText($"/proc/{p}/cmdline").Contains(hook, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        }).ToArray();

    private static IEnumerable<int> Children(int pid)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task")
                .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Processes whose pids-cgroup path ends with /<paramref name="id"/>.</summary>
    private static int[] PidsInCgroupNamed(string id) =>
        AllPids().Where(p =>
        {
            try
            {
                return File.ReadAllLines($"/proc/{p}/cgroup").Any(l => l.Contains(":pids:", StringComparison.Ordinal) && l.EndsWith("/" + id, StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return false;
            }
        }).ToArray();
}
