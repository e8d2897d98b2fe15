using Carton.IntegrationTests.Infrastructure;
using Carton.IntegrationTests.Tests.Exec;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// CVE-2024-21626 (design.md §3.2): a cwd of /proc/self/fd/N must not give the process a working directory
/// on the host through an fd the runtime leaked. Either the runtime refuses the cwd or the process sees only
/// its own root: markers placed in host-only directories must never show up.
/// (Debian's runc 1.1.5+ds1-1+deb12u1 carries the CVE-2024-21626 fix, so this also runs on runc.)
/// </summary>
public sealed class CwdLeakTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    // Walk up from the cwd (a leaked host dir would be below the bundle, the state root or /tmp) and then
    // to the "root" that `cd ..` reaches from there: if the cwd is outside the container's root, that is the host's /.
    private const string Probe =
        "pwd -P 2>&1; ls -a 2>&1; ls -a .. 2>&1; ls -a ../.. 2>&1; ls -a ../../.. 2>&1; " +
        "cd ../../../../../../../../../.. 2>&1; ls -a . tmp 2>&1; ls -a tmp/carton-it-* 2>/dev/null | head -200";

    private string[] PlaceMarkers()
    {
        var marker = "HOST-MARKER-" + Guid.NewGuid().ToString("N");
        var paths = new[] { Path.Combine(Bundle.Dir, marker), Path.Combine(Env.Dir, marker), Path.Combine("/tmp", marker) };
        foreach (var p in paths)
        {
            File.WriteAllText(p, "host\n");
        }
        return paths;
    }

    private static void AssertNoHostView(ProcessResult r, string marker, string what)
    {
        Assert.False(r.TimedOut, $"{what}: timed out:\n{r}");
        Assert.False(r.Stdout.Contains(marker, StringComparison.Ordinal) || r.Stderr.Contains(marker, StringComparison.Ordinal),
            $"{what}: the process saw a host-only marker ({marker}) - its cwd is on the host:\n{r}");
    }

    [Fact]
    public void ProcessCwdProcSelfFd_DoesNotReachHost()
    {
        var markers = PlaceMarkers();
        var marker = Path.GetFileName(markers[0]);
        try
        {
            Bundle.SetShell(Probe);
            for (var n = 3; n <= 15; n++)
            {
                Bundle.SetProcess("cwd", $"/proc/self/fd/{n}");
                var r = RunContainer(Env.NewId());
                AssertNoHostView(r, marker, $"run with process.cwd=/proc/self/fd/{n}");
                if (r.Succeeded)
                {
                    Assert.DoesNotContain("/proc/self/fd", r.Stdout.Split('\n')[0]);
                }
            }
            Env.AssertNoLeaks();
        }
        finally
        {
            foreach (var p in markers)
            {
                File.Delete(p);
            }
        }
    }

    [Fact]
    public void ExecCwdProcSelfFd_DoesNotReachHost()
    {
        var markers = PlaceMarkers();
        var marker = Path.GetFileName(markers[0]);
        try
        {
            var id = Env.NewId();
            StartSleeper(Rt, id);
            for (var n = 3; n <= 15; n++)
            {
                var r = ExecIn(Rt, id, ["--cwd", $"/proc/self/fd/{n}"], "sh", "-c", Probe);
                AssertNoHostView(r, marker, $"exec --cwd /proc/self/fd/{n}");
            }
            DeleteAndCheckLeaks((Rt, id));
        }
        finally
        {
            foreach (var p in markers)
            {
                File.Delete(p);
            }
        }
    }

    /// <summary>
    /// The getcwd check itself: a host directory fd that does reach the init (here handed over on purpose with
    /// --preserve-fds, as a leaked fd would be) must not become the process's cwd. chdir to /proc/self/fd/3 succeeds,
    /// so only the check after it (getcwd must succeed and be absolute) stops the process from starting on the host.
    /// (runc 1.1.5+ds1-1+deb12u1 has the same check.)
    /// </summary>
    [Theory]
    [InlineData("run")]
    [InlineData("exec")]
    public void PreservedHostDirFdAsCwd_IsRefused(string mode)
    {
        var markers = PlaceMarkers();
        var marker = Path.GetFileName(markers[0]);
        try
        {
            var id = Env.NewId();
            ProcessResult r;
            if (mode == "run")
            {
                Bundle.SetShell(Probe);
                Bundle.SetProcess("cwd", "/proc/self/fd/3");
                r = Rt.Exec(["run", "--preserve-fds", "1", "--bundle", Bundle.Dir, id], extraRedirections: $"3<'{Bundle.Dir}'");
            }
            else
            {
                StartSleeper(Rt, id);
                r = Rt.Exec(["exec", "--preserve-fds", "1", "--cwd", "/proc/self/fd/3", id, "sh", "-c", Probe], extraRedirections: $"3<'{Bundle.Dir}'");
            }
            AssertNoHostView(r, marker, $"{mode} with a preserved host directory fd 3 as cwd");
            Assert.False(r.Succeeded, $"{mode}: the process started with a cwd outside the container:\n{r}");
            if (mode == "run")
            {
                Rt.Exec(["delete", "--force", id]);
                Env.AssertNoLeaks();
            }
            else
            {
                DeleteAndCheckLeaks((Rt, id));
            }
        }
        finally
        {
            foreach (var p in markers)
            {
                File.Delete(p);
            }
        }
    }
}
