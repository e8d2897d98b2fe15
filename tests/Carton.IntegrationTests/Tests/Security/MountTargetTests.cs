using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// Mount targets that are symlinks in the rootfs (design.md §3.3 and §3.5):
/// CVE-2021-30465 (symlinks in mount destinations must resolve inside the root) and
/// CVE-2019-19921 / CVE-2019-16884 (a /proc or /sys that is a symlink must be refused).
/// </summary>
public sealed class MountTargetTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private static bool HostMountinfoMentions(string fragment) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Contains(fragment, StringComparison.Ordinal));

    [Theory]
    [InlineData("absolute")]
    [InlineData("relative")]
    [InlineData("absolute-target-exists-in-root")]
    public void SymlinkMountDestination_ResolvesInsideRoot(string kind)
    {
        var victimName = "carton-victim-" + Guid.NewGuid().ToString("N")[..12];
        var victim = Path.Combine("/tmp", victimName);
        Directory.CreateDirectory(victim);
        try
        {
            var target = kind == "relative" ? "../../../../../../tmp/" + victimName : victim;
            if (kind == "absolute-target-exists-in-root")
            {
                Directory.CreateDirectory(Path.Combine(Bundle.Rootfs, "tmp", victimName));
            }
            File.CreateSymbolicLink(Path.Combine(Bundle.Rootfs, "evil"), target);
            Bundle.AddMount("/evil", "tmpfs", "tmpfs", "nosuid", "nodev", "size=1m");
            Bundle.SetShell($"echo pwned > /evil/pwned && ls /tmp/{victimName}; grep -c {victimName} /proc/self/mountinfo");
            var r = RunContainer(Env.NewId());

            Assert.False(r.TimedOut, r.ToString());
            Assert.True(Directory.GetFileSystemEntries(victim).Length == 0,
                $"host directory {victim} was written through the rootfs symlink: {string.Join(", ", Directory.GetFileSystemEntries(victim))}\n{r}");
            Assert.False(HostMountinfoMentions(victimName), $"a mount appeared on the host at {victim}:\n{r}");
            // runc (securejoin) and carton (openat2 RESOLVE_IN_ROOT) resolve the symlink inside the rootfs:
            // the tmpfs lands on rootfs/tmp/<victim> (runc creates the missing directory there), where the
            // container sees its file.
            Assert.True(r.Succeeded, $"run failed:\n{r}");
            Assert.True(r.Stdout.StartsWith("pwned\n", StringComparison.Ordinal), $"the tmpfs was not mounted at /tmp/{victimName} inside the root:\n{r}");
            Assert.True(Directory.Exists(Path.Combine(Bundle.Rootfs, "tmp", victimName)), $"rootfs/tmp/{victimName} was not created inside the root");
            Env.AssertNoLeaks();
        }
        finally
        {
            Directory.Delete(victim, recursive: true);
        }
    }

    [Theory]
    [InlineData("absolute-host-dir")]
    [InlineData("relative-escape")]
    [InlineData("inside-rootfs")]
    public void ProcIsSymlink_RunIsRefused(string kind)
    {
        var evilName = "evilproc-" + Guid.NewGuid().ToString("N")[..12];
        var hostTarget = Path.Combine("/tmp", evilName);
        Directory.CreateDirectory(hostTarget);
        try
        {
            var procPath = Path.Combine(Bundle.Rootfs, "proc");
            Directory.Delete(procPath);
            Directory.CreateDirectory(Path.Combine(Bundle.Rootfs, "tmp", evilName));
            Directory.CreateDirectory(Path.Combine(Bundle.Rootfs, "evilproc"));
            File.CreateSymbolicLink(procPath, kind switch
            {
                "absolute-host-dir" => hostTarget,
                "relative-escape" => "../../../../../../tmp/" + evilName,
                _ => "evilproc",
            });
            Bundle.SetShell("grep ' proc ' /proc/self/mountinfo; echo ran");
            var r = RunContainer(Env.NewId());

            AssertFailed(r, $"run with rootfs/proc -> {kind} symlink");
            if (!Fixture.RuntimeIsRunc)
            {
                // runc says: filesystem "proc" must be mounted on ordinary directory
                Assert.True(r.Stderr.Contains("symlink", StringComparison.Ordinal), $"error does not say the /proc target is a symlink:\n{r}");
            }
            Assert.True(Directory.GetFileSystemEntries(hostTarget).Length == 0, $"proc was mounted on / written into the host target {hostTarget}");
            Assert.False(HostMountinfoMentions(evilName), $"a mount appeared on the host at {hostTarget}:\n{r}");
            Env.AssertNoLeaks();
        }
        finally
        {
            Directory.Delete(hostTarget, recursive: true);
        }
    }

    /// <summary>Like /proc, a /sys mount target that is a symlink must be refused (design.md §3.5).</summary>
    [Fact]
    public void SysIsSymlink_RunIsRefused()
    {
        var sysPath = Path.Combine(Bundle.Rootfs, "sys");
        Directory.Delete(sysPath);
        Directory.CreateDirectory(Path.Combine(Bundle.Rootfs, "evilsys"));
        File.CreateSymbolicLink(sysPath, "evilsys");
        Bundle.SetShell("echo ran");
        var r = RunContainer(Env.NewId());
        AssertFailed(r, "run with rootfs/sys -> evilsys symlink");
        if (!Fixture.RuntimeIsRunc)
        {
            // runc says: filesystem "sysfs" must be mounted on ordinary directory
            Assert.True(r.Stderr.Contains("symlink", StringComparison.Ordinal), $"error does not say the /sys target is a symlink:\n{r}");
        }
        Env.AssertNoLeaks();
    }
}
