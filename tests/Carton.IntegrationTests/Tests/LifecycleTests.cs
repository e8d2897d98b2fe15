using System.Globalization;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

public sealed class LifecycleTests(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    [Fact]
    public void Spec_CreatesConfigJson_AndRefusesToOverwrite()
    {
        var dir = Env.HostDir("specdir");
        var first = Rt.Spec(dir);
        Assert.True(first.Succeeded, $"spec failed:\n{first}");
        var path = Path.Combine(dir, "config.json");
        Assert.True(File.Exists(path), "spec did not write config.json");
        var text = File.ReadAllText(path);
        var config = JsonNode.Parse(text)!;
        Assert.False(string.IsNullOrEmpty(config["ociVersion"]?.GetValue<string>()), "ociVersion missing");
        Assert.True(config["process"]?["args"] is JsonArray { Count: > 0 }, "process.args missing");
        Assert.Equal("rootfs", config["root"]?["path"]?.GetValue<string>());

        var second = Rt.Spec(dir);
        AssertFailed(second, "spec over an existing config.json");
        Assert.Equal(text, File.ReadAllText(path));
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Run_PrintsOutputAndPropagatesExitCode()
    {
        Bundle.SetShell("echo hello; exit 3");
        var r = RunContainer(Env.NewId());
        Assert.False(r.TimedOut, r.ToString());
        Assert.True(r.ExitCode == 3, $"expected exit 3:\n{r}");
        Assert.Equal("hello\n", r.Stdout);
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// `sh -c 'kill -9 $$'` only dies when sh is not a pid-namespace init: the kernel ignores SIGKILL sent to
    /// a namespace's pid 1 from inside that namespace (runc then exits 0). So this variant drops the pid namespace.
    /// </summary>
    [Fact]
    public void Run_ProcessKillsItself_Exits137()
    {
        Bundle.Mutate(_ =>
        {
            var ns = (JsonArray)Bundle.Linux["namespaces"]!;
            ns.Remove(ns.Single(n => n!["type"]!.GetValue<string>() == "pid"));
        });
        Bundle.SetShell("kill -9 $$");
        var r = RunContainer(Env.NewId());
        Assert.True(r.ExitCode == 137, $"expected 128+SIGKILL:\n{r}");
        Env.AssertNoLeaks();
    }

    /// <summary>Foreground `run` whose init is SIGKILLed from outside (`kill id 9`) exits 137.</summary>
    [Fact]
    public async Task Run_InitKilledFromOutside_Exits137()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var run = Task.Run(() => RunContainer(id));
        Assert.True(Rt.WaitForStatus(id, "running"), $"container never reached running: {Rt.Status(id)}");
        Rt.MustRun("kill", id, "9");
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(result.ExitCode == 137, $"expected 128+SIGKILL:\n{result}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void CreateStateStartDelete()
    {
        var host = Env.HostDir("shared");
        var marker = Path.Combine(host, "started");
        Bundle.AddBindMount(host, "/shared");
        Bundle.SetShell("echo ran > /shared/started");
        var id = Env.NewId();

        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create failed:\n{create}");

        var state = StateJson(id);
        Assert.Equal("created", state["status"]?.GetValue<string>());
        var pid = state["pid"]!.GetValue<int>();
        Assert.True(pid > 0, $"pid must be > 0 in created state: {state}");
        Assert.True(Directory.Exists($"/proc/{pid}"), $"init process {pid} does not exist");
        Thread.Sleep(300);
        Assert.False(File.Exists(marker), "the user process ran before `start`");

        var start = Rt.Exec(["start", id]);
        Assert.True(start.Succeeded, $"start failed:\n{start}");
        Assert.True(Poll.Until(() => File.Exists(marker) && File.ReadAllText(marker) == "ran\n", TimeSpan.FromSeconds(5)), "process did not run after start");
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status after exit: {Rt.Status(id)}");

        var delete = Rt.Exec(["delete", id]);
        Assert.True(delete.Succeeded, $"delete failed:\n{delete}");
        var after = Rt.State(id);
        AssertFailed(after, "state after delete");
        Env.AssertNoLeaks();
    }

    [Theory]
    [InlineData("KILL")]
    [InlineData("9")]
    [InlineData("SIGKILL")]
    public void RunDetached_KillStopsContainer(string signal)
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        var run = RunContainer(id, "-d");
        Assert.True(run.Succeeded, $"run -d failed:\n{run}");
        Assert.Equal("running", Rt.Status(id));

        var kill = Rt.Exec(["kill", id, signal]);
        Assert.True(kill.Succeeded, $"kill {signal} failed:\n{kill}");
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status after kill: {Rt.Status(id)}");

        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Delete_RunningContainer_RequiresForce()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(RunContainer(id, "-d") is { Succeeded: true } run, "run -d failed");

        var plain = Rt.Exec(["delete", id]);
        AssertFailed(plain, "delete of a running container without --force");
        Assert.Equal("running", Rt.Status(id));

        var force = Rt.Exec(["delete", "--force", id]);
        Assert.True(force.Succeeded, $"delete --force failed:\n{force}");
        AssertFailed(Rt.State(id), "state after delete --force");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void List_TableJsonAndQuiet()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(CreateContainer(id).Succeeded, "create failed");

        var table = Rt.MustRun("list");
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2, $"expected header + one row:\n{table}");
        foreach (var column in new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" })
        {
            Assert.Contains(column, lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        var row = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).SingleOrDefault(f => f[0] == id);
        Assert.True(row is not null, $"no row for {id}:\n{table}");
        Assert.Contains("created", row);
        Assert.Contains(Bundle.Dir, row);

        var json = Rt.MustRun("list", "--format", "json");
        var array = JsonNode.Parse(json.Stdout) as JsonArray;
        Assert.True(array is not null, $"list --format json is not a JSON array:\n{json}");
        var entry = array!.SingleOrDefault(e => e?["id"]?.GetValue<string>() == id);
        Assert.True(entry is not null, $"no entry for {id}:\n{json}");
        Assert.Equal("created", entry!["status"]?.GetValue<string>());

        var quiet = Rt.MustRun("list", "-q");
        Assert.Equal(id + "\n", quiet.Stdout);

        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void State_HasAllOciFields()
    {
        Bundle.SetArgs("sleep", "100");
        var id = Env.NewId();
        Assert.True(CreateContainer(id).Succeeded, "create failed");
        var state = StateJson(id);
        foreach (var key in new[] { "ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner" })
        {
            Assert.True(state.AsObject().ContainsKey(key), $"state lacks '{key}': {state}");
        }
        Assert.Equal(id, state["id"]!.GetValue<string>());
        Assert.Equal("created", state["status"]!.GetValue<string>());
        Assert.True(state["pid"]!.GetValue<int>() > 0);
        Assert.Equal(Bundle.Dir, state["bundle"]!.GetValue<string>());
        Assert.Equal(Bundle.Rootfs, state["rootfs"]!.GetValue<string>());
        Assert.StartsWith("1.", state["ociVersion"]!.GetValue<string>());
        var created = DateTimeOffset.Parse(state["created"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - created).TotalMinutes) < 5, $"created timestamp off: {created}");

        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }
}
