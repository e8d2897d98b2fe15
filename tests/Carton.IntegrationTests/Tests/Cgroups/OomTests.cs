using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Cgroups;

/// <summary>memory.limit enforcement: the OOM killer fires, `events` reports {"type":"oom"}.</summary>
public sealed class OomTests(RuntimeFixture fixture) : CgroupTestBase(fixture)
{
    // Doubles a shell variable until the 16 MiB limit is hit (exponential: reached within ~25 iterations).
    private const string Hog = "x=aaaaaaaaaa; while true; do x=$x$x; done";

    private void LimitMemory()
    {
        // On cgroup v1 memory.swap is memory+swap (memsw); equal to the limit means "no swap".
        SetResource("memory", new JsonObject { ["limit"] = 16 * MiB, ["swap"] = 16 * MiB });
        Bundle.SetShell(Hog);
    }

    [Fact]
    public void Oom_ForegroundRun_Exits137()
    {
        LimitMemory();
        var r = Rt.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()], timeout: TimeSpan.FromSeconds(30));
        Assert.False(r.TimedOut, $"memory hog was not OOM-killed:\n{r}");
        Assert.True(r.ExitCode == 137, $"expected 128+SIGKILL from the OOM killer:\n{r}");
        Env.AssertNoLeaks();
    }

    /// <summary>create → `events --interval 1s` in the background → start: an oom event is streamed.</summary>
    [Fact]
    public void Oom_EventsStreamReportsOom_AndProcessKilled()
    {
        LimitMemory();
        var id = Env.NewId();
        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create failed:\n{create}");
        var pid = Pid(Rt, id);
        var memDir = CgroupPaths.Dir(pid, "memory");
        Assert.Equal((16 * MiB).ToString(), File.ReadAllText(Path.Combine(memDir, "memory.limit_in_bytes")).Trim());

        using (var events = new BackgroundProcess(Rt.Binary, ["--root", Rt.Root, "events", "--interval", "1s", id]))
        {
            // Give `events` time to register its OOM notification before the hog starts.
            Thread.Sleep(1000);
            Assert.False(events.WaitForExit(TimeSpan.Zero), $"events exited early:\n{events}");
            Rt.MustRun("start", id);

            var sawOom = Poll.Until(() => OomLines(events.Stdout, id).Any(), TimeSpan.FromSeconds(15));
            var stopped = Rt.WaitForStatus(id, "stopped", TimeSpan.FromSeconds(10));
            var oomControl = File.Exists(Path.Combine(memDir, "memory.oom_control"))
                ? File.ReadAllText(Path.Combine(memDir, "memory.oom_control"))
                : "(missing)";
            Assert.True(stopped, $"container not stopped after OOM: status={Rt.Status(id)}\nmemory.oom_control:\n{oomControl}\n{events}");
            Assert.True(sawOom, $"no {{\"type\":\"oom\"}} event within 15s\nmemory.oom_control:\n{oomControl}\n{events}");
            Assert.True(CgroupPaths.ReadKeyed(Path.Combine(memDir, "memory.oom_control")).GetValueOrDefault("oom_kill") >= 1,
                $"memory.oom_control shows no oom_kill:\n{oomControl}");
        }

        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }

    private static IEnumerable<JsonNode> OomLines(string stdout, string id)
    {
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            JsonNode? n;
            try
            {
                n = JsonNode.Parse(line);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }
            if (n?["type"]?.GetValue<string>() == "oom" && n["id"]?.GetValue<string>() == id)
            {
                yield return n;
            }
        }
    }
}
