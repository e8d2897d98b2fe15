using System.Text.RegularExpressions;
using Carton.IntegrationTests.Infrastructure;
using Carton.IntegrationTests.Tests.Exec;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// design.md §3.2: fds above 2 are closed before the user's process runs: the process (here `sh`, whose own
/// fd table is listed by a child `ls`) sees only 0, 1 and 2 - none of the runtime's (channel socket, exec
/// fifo, memfd, state dir, /dev/null, pipes), and none the caller left open without close-on-exec: the launcher
/// holds a host file and a host directory at fds 5 and 7 (carton's own fds are all O_CLOEXEC, so only these show
/// that the fds are really closed before exec).
/// </summary>
public sealed partial class FdLeakTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    // `exec >file` is permanent; a plain `cmd >file` makes busybox sh save its stdout/stderr at fds 10/11
    // while the child runs, which would show up in the listing of the shell's fds.
    private const string Probe = "exec >/shared/fds 2>&1; ls -l /proc/$$/fd; echo done";

    private string Shared => _shared ??= Env.HostDir("shared");

    /// <summary>Shell redirections of the launcher: fds the runtime inherits without close-on-exec.</summary>
    private string CallerFds
    {
        get
        {
            var file = Path.Combine(Env.Dir, "caller-held.txt");
            File.WriteAllText(file, "host\n");
            return $"5<'{file}' 7<'{Env.Dir}'";
        }
    }

    private string? _shared;

    private void AssertOnlyStdio(string what)
    {
        var file = Path.Combine(Shared, "fds");
        Assert.True(Poll.Until(() => File.Exists(file) && File.ReadAllText(file).Contains("done\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            $"{what}: probe never wrote {file}");
        var listing = File.ReadAllText(file);
        var fds = FdLine().Matches(listing).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.True(fds.SequenceEqual([0, 1, 2]), $"{what}: the user's process has fds [{string.Join(",", fds)}], expected only 0,1,2:\n{listing}");
        File.Delete(file);
    }

    [GeneratedRegex(@"\s(\d+) -> ")]
    private static partial Regex FdLine();

    [Theory]
    [InlineData("run")]
    [InlineData("run -d")]
    [InlineData("create+start")]
    public void InitProcess_SeesOnlyStdio(string mode)
    {
        Bundle.AddBindMount(Shared, "/shared");
        Bundle.SetShell(Probe + "; sleep 1000");
        var id = Env.NewId();
        if (mode == "run")
        {
            Bundle.SetShell(Probe);
            var r = Rt.Exec(["run", "--bundle", Bundle.Dir, id], extraRedirections: CallerFds);
            Assert.True(r.Succeeded, r.ToString());
        }
        else if (mode == "run -d")
        {
            var r = Rt.Exec(["run", "-d", "--bundle", Bundle.Dir, id], extraRedirections: CallerFds);
            Assert.True(r.Succeeded, r.ToString());
        }
        else
        {
            Assert.True(Rt.Exec(["create", "--bundle", Bundle.Dir, id], extraRedirections: CallerFds) is { Succeeded: true } c, "create failed");
            Rt.MustRun("start", id);
        }
        AssertOnlyStdio(mode);
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    [Theory]
    [InlineData("exec")]
    [InlineData("exec -d")]
    [InlineData("exec -t -d")]
    public async Task ExecProcess_SeesOnlyStdio(string mode)
    {
        Bundle.AddBindMount(Shared, "/shared");
        var id = Env.NewId();
        StartSleeper(Rt, id);
        string[] flags = mode switch { "exec -d" => ["-d"], _ => [] };
        ConsoleSocketListener? listener = null;
        var master = -1;
        try
        {
            if (mode == "exec -t -d")
            {
                listener = new ConsoleSocketListener(Path.Combine(Env.Dir, "fd-console.sock"));
                var accept = listener.AcceptMasterAsync(TimeSpan.FromSeconds(20));
                flags = ["-t", "-d", "--console-socket", listener.SocketPath];
                var t = Rt.Exec(["exec", .. flags, id, "sh", "-c", Probe], extraRedirections: CallerFds);
                Assert.True(t.Succeeded, t.ToString());
                master = await accept.WaitAsync(TimeSpan.FromSeconds(20));
            }
            else
            {
                var r = Rt.Exec(["exec", .. flags, id, "sh", "-c", Probe], extraRedirections: CallerFds);
                Assert.True(r.Succeeded, r.ToString());
            }
            AssertOnlyStdio(mode);
        }
        finally
        {
            ConsoleSocketListener.CloseFd(master);
            listener?.Dispose();
        }
        DeleteAndCheckLeaks((Rt, id));
    }

    /// <summary>
    /// A seccomp profile that makes close_range fail (EPERM) must not leave the caller's fds open: carton marks them
    /// close-on-exec before the filter is loaded and checks the result. (runc 1.1.5 closes with fcntl over
    /// /proc/self/fd, which the profile does not touch.)
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SeccompDenyingCloseRange_CallerFdsStillClosed(bool noNewPrivileges)
    {
        Bundle.AddBindMount(Shared, "/shared");
        Bundle.Mutate(c =>
        {
            c["linux"]!["seccomp"] = new System.Text.Json.Nodes.JsonObject
            {
                ["defaultAction"] = "SCMP_ACT_ALLOW",
                ["architectures"] = new System.Text.Json.Nodes.JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                ["syscalls"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
                {
                    ["names"] = new System.Text.Json.Nodes.JsonArray("close_range"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = 1,
                }),
            };
            c["process"]!["noNewPrivileges"] = noNewPrivileges;
        });
        Bundle.SetShell(Probe);
        var r = Rt.Exec(["run", "--preserve-fds", "0", "--bundle", Bundle.Dir, Env.NewId()], extraRedirections: CallerFds);
        Assert.True(r.Succeeded, r.ToString());
        AssertOnlyStdio($"close_range denied by seccomp (noNewPrivileges {noNewPrivileges})");
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// The init is non-dumpable while it holds host fds: a process of another container that shares its pid
    /// namespace (and lacks CAP_SYS_PTRACE) cannot list or open the fds of a created, not yet started, init through
    /// /proc/1/fd (its exec fifo, the state directory...).
    /// </summary>
    [SkipOnRuncFact("Debian's runc 1.1.5 leaves its created init dumpable: another container in its pid namespace reads /proc/1/fd (the exec fifo in the state dir)")]
    public void CreatedInit_FdsAreNotReachableFromItsPidNamespace()
    {
        var a = Env.NewId();
        Bundle.SetShell("true");
        var c = CreateContainer(a);
        Assert.True(c.Succeeded, $"create failed:\n{c}");
        var pid = StateJson(a)["pid"]!.GetValue<int>();
        Bundle.Mutate(cfg =>
        {
            foreach (var ns in (System.Text.Json.Nodes.JsonArray)cfg["linux"]!["namespaces"]!)
            {
                if (ns!["type"]!.GetValue<string>() == "pid")
                {
                    ns["path"] = $"/proc/{pid}/ns/pid";
                }
            }
        });
        Bundle.SetShell("ls -l /proc/1/fd/ 2>&1; for f in /proc/1/fd/*; do readlink $f 2>&1; done; echo end");
        var r = RunContainer(Env.NewId());
        Assert.True(r.Succeeded, $"run in the created container's pid namespace failed:\n{r}");
        Assert.False(r.Stdout.Contains(" -> ", StringComparison.Ordinal) || r.Stdout.Contains('/' + Path.GetFileName(Rt.Root), StringComparison.Ordinal) || r.Stdout.Contains("fifo", StringComparison.Ordinal),
            $"another container read the fds of the created init through /proc/1/fd:\n{r}");
        Rt.MustRun("delete", "--force", a);
        Env.AssertNoLeaks();
    }
}
