using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// The pid recorded for a stopped container may belong to another process by the time a command acts on it (pids
/// are reused). Signalling commands must check that the pid still is the container's init (its start time, or a
/// pidfd) and never hit the unrelated process. The state file is edited to point at a live host process started
/// after the init died: the same situation as a recycled pid, without waiting for the pid space to wrap.
/// </summary>
public sealed class RecycledPidTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Fact]
    public void KillAndDeleteOfAStoppedContainer_NeverSignalAProcessThatReusedItsPid()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(CreateContainer(id).Succeeded, "create failed");
        Rt.MustRun("start", id);
        Rt.MustRun("kill", id, "KILL");
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"container did not stop:\n{Rt.State(id)}");

        var victim = new BackgroundProcess("/bin/sleep", ["1000"]);
        try
        {
            Assert.True(Poll.Until(() => Comm(victim.Pid) == "sleep", TimeSpan.FromSeconds(5)), "the unrelated process did not start");
            var statePath = Path.Combine(Rt.Root, id, "state.json");
            var original = JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
            // The init's pid now names the victim; the recorded start time stays the init's. No cgroup either: then
            // `kill --all` has only the recorded pid to go by (a rootless container without a cgroup).
            WriteState(statePath, original, victim.Pid, withCgroups: false);

            Assert.Equal("stopped", Rt.Status(id));
            var kill = Rt.Exec(["kill", id, "KILL"]);
            AssertFailed(kill, "kill of a stopped container");
            Assert.Contains("not running", kill.Stderr, StringComparison.Ordinal);
            AssertAlive(victim, "kill");

            foreach (var signal in new[] { "KILL", "TERM" })
            {
                var all = Rt.Exec(["kill", "--all", id, signal]);
                Assert.False(all.TimedOut, all.ToString());
                AssertAlive(victim, $"kill --all {signal} (exit {all.ExitCode}: {all.Stderr.Trim()})");
            }

            // With its cgroup back (so delete can remove it), still pointing at the victim.
            WriteState(statePath, original, victim.Pid, withCgroups: true);
            Rt.MustRun("delete", "--force", id);
            AssertAlive(victim, "delete --force");
            Assert.False(Directory.Exists(Path.Combine(Rt.Root, id)), "delete --force left the state directory");
        }
        finally
        {
            victim.Dispose();
        }
        Env.AssertNoLeaks();
    }

    private static void WriteState(string path, JsonObject original, int pid, bool withCgroups)
    {
        var state = original.DeepClone().AsObject();
        // carton's state.json ("pid", "cgroupPaths") or runc's ("init_process_pid", "cgroup_paths").
        var (pidKey, cgroupKey) = state.ContainsKey("init_process_pid") ? ("init_process_pid", "cgroup_paths") : ("pid", "cgroupPaths");
        Assert.True(state.ContainsKey(pidKey), $"unknown state.json shape: {original.ToJsonString()[..Math.Min(300, original.ToJsonString().Length)]}");
        state[pidKey] = pid;
        if (!withCgroups)
        {
            state[cgroupKey] = new JsonObject();
        }
        File.WriteAllText(path, state.ToJsonString());
    }

    private static void AssertAlive(BackgroundProcess victim, string after) =>
        Assert.False(victim.WaitForExit(TimeSpan.FromMilliseconds(300)), $"{after} signalled pid {victim.Pid}, an unrelated process that reused the container's pid:\n{victim}");

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
