using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>
/// Every lifecycle hook appends "&lt;name&gt; &lt;id from stdin state&gt; &lt;HOOKVAR from hook env&gt;" to a log.
/// The log directory is bind mounted at the same path inside the container, so the same command
/// works whether a hook runs in the host mount namespace (createRuntime, poststart, poststop), in the
/// container's namespace before pivot_root (createContainer) or inside the container (startContainer,
/// whose path resolves to the rootfs' busybox /bin/sh).
/// </summary>
public sealed class HookTests(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    private static readonly string[] AllHooks = ["createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

    private string SetUpHooks()
    {
        var logDir = Env.HostDir("hooklog");
        var log = Path.Combine(logDir, "hooks.log");
        Bundle.AddBindMount(logDir, logDir);
        Bundle.SetArgs("true");
        foreach (var hook in AllHooks)
        {
            var script = $"id=$(sed -n 's/.*\"id\" *: *\"\\([^\"]*\\)\".*/\\1/p'); echo \"{hook} $id $HOOKVAR\" >> {log}";
            Bundle.AddHook(hook, "/bin/sh", ["sh", "-c", script], env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", $"HOOKVAR=env-{hook}"]);
        }
        return log;
    }

    private static string[] Lines(string log) => File.Exists(log) ? File.ReadAllLines(log) : [];

    private static string Dump(string log) => $"hook log:\n{string.Join("\n", Lines(log))}";

    /// <summary>
    /// createRuntime, createContainer during create; startContainer after start; poststop after delete;
    /// each hook sees the container id on stdin and its own env. (poststart timing: see next test.)
    /// </summary>
    [Fact]
    public void HooksRunInOrderWithStateAndEnv()
    {
        var log = SetUpHooks();
        var id = Env.NewId();

        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create failed:\n{create}");
        Assert.True(Lines(log).Select(Name).Where(n => n != "poststart").SequenceEqual(["createRuntime", "createContainer"]), "after create: " + Dump(log));
        Assert.False(Lines(log).Select(Name).Contains("startContainer"), "startContainer ran before start: " + Dump(log));

        Rt.MustRun("start", id);
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status: {Rt.Status(id)}");
        Assert.True(Poll.Until(() => Lines(log).Length >= 4, TimeSpan.FromSeconds(5)), "after start: " + Dump(log));
        var afterStart = Lines(log);
        Assert.True(afterStart.Length == 4, "after start: " + Dump(log));
        Assert.Equal(["createContainer", "createRuntime", "poststart", "startContainer"], afterStart.Select(Name).Order().ToArray());
        Assert.Equal(["createRuntime", "createContainer"], afterStart.Select(Name).Where(n => n.StartsWith("create", StringComparison.Ordinal)).ToArray());

        Rt.MustRun("delete", id);
        var all = Lines(log);
        Assert.True(all.Length == 5 && Name(all[^1]) == "poststop", "after delete: " + Dump(log));

        foreach (var line in all)
        {
            var f = line.Split(' ');
            Assert.True(f.Length == 3 && f[1] == id && f[2] == "env-" + f[0], $"hook line '{line}' lacks id {id} from stdin state or HOOKVAR from env\n" + Dump(log));
        }
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// OCI spec: poststart hooks run after the user process started, i.e. during `start`.
    /// runc 1.1 runs them at the end of `create` (fixed in runc 1.2); carton follows the spec.
    /// </summary>
    [SkipOnRuncFact("runc 1.1.x runs poststart hooks during `create` instead of `start`")]
    public void PoststartRunsDuringStartNotCreate()
    {
        var log = SetUpHooks();
        var id = Env.NewId();
        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create failed:\n{create}");
        Assert.True(Lines(log).Select(Name).SequenceEqual(["createRuntime", "createContainer"]), "after create: " + Dump(log));

        Rt.MustRun("start", id);
        Assert.Contains("poststart", Lines(log).Select(Name));
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status: {Rt.Status(id)}");
        Rt.MustRun("delete", id);
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// runtime.md "Lifecycle" step 9: a failing poststart hook is logged as a warning and the lifecycle goes on.
    /// A failing hook followed by one that writes a file: `start` succeeds, the container runs, the second hook ran,
    /// and the warning (naming the failing hook) is on stderr and in the --log file.
    /// </summary>
    [SkipOnRuncFact("runc 1.1.x kills the container and fails when a poststart hook fails")]
    public void FailingPoststartHook_WarnsAndTheRestRun()
    {
        var mark = Path.Combine(Env.HostDir("poststart"), "second-ran");
        Bundle.SetArgs("sleep", "30");
        Bundle.AddHook("poststart", "/bin/sh", ["sh", "-c", "echo poststart-broken >&2; exit 3"]);
        Bundle.AddHook("poststart", "/bin/sh", ["sh", "-c", $"touch {mark}"]);
        var id = Env.NewId();
        var log = Path.Combine(Env.Dir, "carton.log");
        var create = Rt.Exec(["--log", log, "create", "--bundle", Bundle.Dir, id]);
        Assert.True(create.Succeeded, $"create failed:\n{create}");

        var start = Rt.Exec(["--log", log, "start", id]);
        Assert.True(start.Succeeded, $"start failed because of a failing poststart hook:\n{start}");
        Assert.True(File.Exists(mark), $"the poststart hook after the failing one did not run:\n{start}");
        Assert.True(start.Stderr.Contains("poststart", StringComparison.Ordinal) && start.Stderr.Contains("warn", StringComparison.OrdinalIgnoreCase),
            $"no warning about the failing poststart hook on stderr:\n{start}");
        Assert.Contains("level=warning", File.ReadAllText(log));
        Assert.Equal("running", Rt.Status(id));

        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    /// <summary>runtime.md "Lifecycle" step 13: a failing poststop hook is logged as a warning; the hooks after it
    /// still run and `delete` succeeds, leaving nothing behind.</summary>
    [SkipOnRuncFact("runc 1.1.x stops at the first failing poststop hook and fails delete")]
    public void FailingPoststopHook_WarnsAndTheRestRun()
    {
        var mark = Path.Combine(Env.HostDir("poststop"), "second-ran");
        Bundle.SetArgs("true");
        Bundle.AddHook("poststop", "/bin/sh", ["sh", "-c", "echo poststop-broken >&2; exit 4"]);
        Bundle.AddHook("poststop", "/bin/sh", ["sh", "-c", $"touch {mark}"]);
        var id = Env.NewId();
        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create failed:\n{create}");
        Rt.MustRun("start", id);
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status: {Rt.Status(id)}");

        var delete = Rt.Exec(["delete", id]);
        Assert.True(delete.Succeeded, $"delete failed because of a failing poststop hook:\n{delete}");
        Assert.True(File.Exists(mark), $"the poststop hook after the failing one did not run:\n{delete}");
        Assert.True(delete.Stderr.Contains("poststop", StringComparison.Ordinal) && delete.Stderr.Contains("warn", StringComparison.OrdinalIgnoreCase),
            $"no warning about the failing poststop hook on stderr:\n{delete}");
        Env.AssertNoLeaks();
    }

    private static string Name(string line) => line.Split(' ')[0];
}
