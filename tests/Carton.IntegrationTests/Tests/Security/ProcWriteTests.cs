using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// The CVE-2025-52881 class (design.md §3.5): writes and mounts that go through /proc must not be redirected by a
/// mount placed over part of /proc. (1) A config mount over /proc/sys (or /proc/self/attr, /proc/1/fd) is refused
/// with an error naming the path, before any sysctl is written; the host's value stays. (2) A mount over /proc/1/fd
/// made behind carton's back (here by a createContainer hook, in the container's mount namespace before
/// pivot_root) must not redirect maskedPaths, which carton applies after pivot_root: they are mounted by fd with
/// the new mount API, not through /proc/self/fd/N.
/// </summary>
public sealed class ProcWriteTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Theory]
    [InlineData("/proc/sys", "tmpfs")]
    [InlineData("/proc/sys/net", "bind")]
    [InlineData("/proc/self/attr", "bind")]
    [InlineData("/proc/1/fd", "bind")]
    public void MountOverProc_IsRefusedNamingThePath(string destination, string kind)
    {
        var decoy = Env.HostDir("decoy");
        Directory.CreateDirectory(Path.Combine(decoy, "ipv4"));
        var hostForward = File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim();
        var want = hostForward == "1" ? "0" : "1";
        Bundle.Mutate(c => c["linux"]!["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = want });
        if (kind == "tmpfs")
        {
            Bundle.AddMount(destination, "tmpfs", "tmpfs", "nosuid", "nodev", "size=1m");
        }
        else
        {
            Bundle.AddBindMount(decoy, destination);
        }
        Bundle.SetShell("cat /proc/sys/net/ipv4/ip_forward");
        var r = RunContainer(Env.NewId());

        Assert.False(r.TimedOut, r.ToString());
        Assert.True(File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim() == hostForward, "the host's net.ipv4.ip_forward changed");
        Assert.True(Directory.GetFiles(decoy, "*", SearchOption.AllDirectories).Length == 0,
            $"something was written into the directory mounted over {destination}: {string.Join(", ", Directory.GetFiles(decoy, "*", SearchOption.AllDirectories))}\n{r}");
        AssertFailed(r, $"run with a {kind} mount over {destination}");
        if (!Fixture.RuntimeIsRunc)
        {
            // runc says: "... cannot be mounted because it is inside /proc"
            Assert.True(r.Stderr.Contains(destination, StringComparison.Ordinal) && r.Stderr.Contains("inside /proc", StringComparison.Ordinal),
                $"the error does not name {destination} as a mount inside /proc:\n{r}");
        }
        Env.AssertNoLeaks();
    }

    [Fact]
    public void ProcSelfFdRedirectedBeforePivotRoot_MaskedPathsStillApply()
    {
        // Every /proc/1/fd/N of the decoy points at /decoyfile: a mask made through /proc/self/fd/N after
        // pivot_root lands there (/dev/null bound over /decoyfile), and /proc/timer_list stays readable.
        var decoy = Path.Combine(Bundle.Rootfs, "decoy");
        Directory.CreateDirectory(decoy);
        File.WriteAllText(Path.Combine(Bundle.Rootfs, "decoyfile"), "decoy\n");
        for (var n = 0; n < 1024; n++)
        {
            File.CreateSymbolicLink(Path.Combine(decoy, n.ToString(System.Globalization.CultureInfo.InvariantCulture)), "/decoyfile");
        }
        var hook = Path.Combine(Env.Dir, "overmount-proc-fd.sh");
        File.WriteAllText(hook, $"#!/bin/sh\nexec mount --bind '{decoy}' '{Bundle.Rootfs}/proc/1/fd'\n");
        File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);
        Bundle.AddHook("createContainer", hook, ["overmount-proc-fd"]);
        Bundle.Mutate(c =>
        {
            c["linux"]!["maskedPaths"] = Bundle.ToArray(["/proc/timer_list"]);
            c["linux"]!["readonlyPaths"] = new JsonArray();
        });
        Bundle.SetShell("echo size=$(cat /proc/timer_list | wc -c); echo decoy=$(cat /decoyfile | wc -c)");
        var r = RunContainer(Env.NewId());

        Assert.False(r.TimedOut, r.ToString());
        if (r.Succeeded)
        {
            var kv = KeyValues(r.Stdout);
            Assert.True(kv.GetValueOrDefault("size") == "0", $"/proc/timer_list is not masked (the mask went through the redirected /proc/self/fd):\n{r}");
        }
        else
        {
            Assert.True(r.Stderr.Contains("/proc", StringComparison.Ordinal), $"create failed without naming /proc:\n{r}");
        }
        Env.AssertNoLeaks();
    }
}
