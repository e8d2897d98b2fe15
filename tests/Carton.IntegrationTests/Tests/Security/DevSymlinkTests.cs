using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// Container-supplied special files (design.md §3.4): /dev is bind-mounted from a host directory the
/// "attacker" controls, with /dev/null or /dev/console replaced by a symlink to /proc/sys/kernel/core_pattern.
/// CVE-2025-31133 (maskedPaths are masked by bind-mounting /dev/null) and CVE-2025-52565 (/dev/console is
/// bind-mounted from the pty slave). The sysctl must never become writable or be covered by a mount.
/// </summary>
public sealed class DevSymlinkTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private const string CorePattern = "/proc/sys/kernel/core_pattern";

    private string EvilDev(string name)
    {
        var dev = Env.HostDir("evil-dev");
        File.CreateSymbolicLink(Path.Combine(dev, name), CorePattern);
        // Replace the /dev tmpfs in place so /dev/pts, /dev/shm, /dev/mqueue are still mounted on top of it.
        Bundle.Mutate(c =>
        {
            var m = ((JsonArray)c["mounts"]!).Single(m => m!["destination"]!.GetValue<string>() == "/dev")!;
            m["type"] = "bind";
            m["source"] = dev;
            m["options"] = Bundle.ToArray(["rbind", "rw"]);
        });
        return dev;
    }

    private static bool HostMountsCorePattern(string mountinfoPath) =>
        File.ReadLines(mountinfoPath).Any(l => l.Contains("core_pattern", StringComparison.Ordinal));

    [SkipOnRuncFact("runc 1.1.5 is vulnerable to CVE-2025-31133: it masks /proc/kcore by bind-mounting whatever /dev/null points to (here core_pattern, writable from the container)")]
    public void DevNullSymlink_MaskedPathDoesNotExposeCorePattern()
    {
        var original = File.ReadAllText(CorePattern);
        var evilValue = "carton-pwned-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            EvilDev("null");
            // /proc/kcore does not exist on every kernel (not on this host); /proc/timer_list and /proc/keys do.
            Bundle.SetLinux("maskedPaths", Bundle.ToArray(["/proc/kcore", "/proc/timer_list", "/proc/keys"]));
            Bundle.SetShell($"for p in /proc/kcore /proc/timer_list /proc/keys {CorePattern}; do echo {evilValue} > $p; done; " +
                            "echo ==; grep -E 'kcore|timer_list|keys|core_pattern' /proc/self/mountinfo; echo ==; ls -l /dev/null; " +
                            "head -c 100 /proc/timer_list; echo; head -c 100 /proc/keys");
            var r = RunContainer(Env.NewId());
            Assert.False(r.TimedOut, r.ToString());

            Assert.True(File.ReadAllText(CorePattern) == original,
                $"host {CorePattern} changed to '{File.ReadAllText(CorePattern).Trim()}' (was '{original.Trim()}'):\n{r}");
            Assert.False(HostMountsCorePattern("/proc/self/mountinfo"), $"core_pattern is mounted somewhere on the host:\n{r}");
            if (r.ExitCode != 0)
            {
                Assert.True(r.Stderr.Contains("/dev/null", StringComparison.Ordinal), $"run refused, but the error does not mention /dev/null:\n{r}");
            }
            else
            {
                var mountinfo = r.Stdout.Split("==\n").ElementAtOrDefault(1) ?? "";
                Assert.False(mountinfo.Contains("core_pattern", StringComparison.Ordinal), $"core_pattern was bind-mounted inside the container:\n{r}");
                Assert.False(r.Stdout.Contains(evilValue, StringComparison.Ordinal), $"a masked path reads back the attacker's value (core_pattern mounted over it):\n{r}");
            }
            Env.AssertNoLeaks();
        }
        finally
        {
            if (File.ReadAllText(CorePattern) != original)
            {
                File.WriteAllText(CorePattern, original);
            }
        }
    }

    [SkipOnRuncFact("runc 1.1.5 is vulnerable to CVE-2025-52565: it bind-mounts the pty slave onto whatever /dev/console points to")]
    public async Task DevConsoleSymlink_PtyNotMountedOverCorePattern()
    {
        var original = File.ReadAllText(CorePattern);
        var dev = EvilDev("console");
        // A usable /dev needs ptmx and null (runc and carton create them only in a /dev they mount themselves).
        File.CreateSymbolicLink(Path.Combine(dev, "ptmx"), "pts/ptmx");
        var mknod = ProcessRunner.Run("/bin/mknod", ["-m", "666", Path.Combine(dev, "null"), "c", "1", "3"]);
        Assert.True(mknod.Succeeded, mknod.ToString());
        Bundle.SetTerminal(true);
        Bundle.SetShell("grep core_pattern /proc/self/mountinfo || echo no-core-pattern-mount; " +
                        "stat -c 'console=%F %t:%T' /dev/console; echo probe-done; sleep 1000");
        var id = Env.NewId();
        var listener = new ConsoleSocketListener(Path.Combine(Env.Dir, "console.sock"));
        var accept = listener.AcceptMasterAsync(TimeSpan.FromSeconds(20));
        var master = -1;
        try
        {
            var run = RunContainer(id, "-d", "--console-socket", listener.SocketPath);
            if (!run.Succeeded)
            {
                // Refusing the symlinked /dev/console is safe too.
                AssertFailed(run, "run with /dev/console -> core_pattern");
                Assert.True(run.Stderr.Contains("console", StringComparison.Ordinal), $"run refused, but the error does not mention /dev/console:\n{run}");
            }
            else
            {
                master = await accept.WaitAsync(TimeSpan.FromSeconds(20));
                var output = ConsoleSocketListener.ReadTerminal(master, TimeSpan.FromSeconds(10), s => s.Contains("probe-done", StringComparison.Ordinal));
                var pid = StateJson(id)["pid"]!.GetValue<int>();
                Assert.False(HostMountsCorePattern($"/proc/{pid}/mountinfo"), $"core_pattern is covered by a mount in the container's mount namespace:\n{File.ReadAllText($"/proc/{pid}/mountinfo")}");
                Assert.True(output.Contains("no-core-pattern-mount", StringComparison.Ordinal), $"container sees a mount on core_pattern: '{output}'");
                // A pty slave is a character device with major 136 (0x88).
                Assert.True(output.Contains("console=character special file 88:", StringComparison.Ordinal), $"/dev/console is not a pty: '{output}'");
            }
            Assert.Equal(original, File.ReadAllText(CorePattern));
            Assert.False(HostMountsCorePattern("/proc/self/mountinfo"), "core_pattern is mounted somewhere on the host");
        }
        finally
        {
            ConsoleSocketListener.CloseFd(master);
            listener.Dispose();
        }
        Rt.Exec(["delete", "--force", id]);
        Env.AssertNoLeaks();
    }
}
