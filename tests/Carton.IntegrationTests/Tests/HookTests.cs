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

    private static string Name(string line) => line.Split(' ')[0];
}
