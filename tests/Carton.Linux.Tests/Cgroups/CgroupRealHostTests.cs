using System.Diagnostics;
using Carton.Linux.Cgroups;

namespace Carton.Linux.Tests.Cgroups;

/// <summary>
/// Drives the real host cgroups (needs root). Each test uses a unique cgroup name and removes it in a finally
/// block, falling back to plain rmdir and killing its child, so a failed assertion leaves nothing behind.
/// Without root (or without writable cgroups) the tests return early: there is nothing to verify there.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupRealHostTests
{
    private static bool CanUseHostCgroups(out CgroupHost host)
    {
        host = null!;
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/proc/self/mountinfo")) return false;
        try
        {
            host = CgroupHost.Probe();
        }
        catch (CgroupException)
        {
            return false;
        }
        return host.Hierarchies.All(h => Directory.Exists(h.MountPoint));
    }

    private static string UniqueId() => "carton-cgtest-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public void CreateAddFreezeSignalDestroyOnTheRealHost()
    {
        if (!CanUseHostCgroups(out var host)) return;
        var id = UniqueId();
        var manager = CgroupManagerFactory.Create(host, "/" + id, id);
        Process? sleep = null;
        try
        {
            manager.Create();
            Assert.Equal(host.Hierarchies.Count, manager.Paths.Count);
            foreach (var dir in manager.Paths.Values) Assert.True(Directory.Exists(dir), dir);

            sleep = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
            manager.AddProcess(sleep.Id);

            // /proc/<pid>/cgroup: the container path in every v1 hierarchy (named ones included) and the unified one.
            var lines = File.ReadAllLines($"/proc/{sleep.Id}/cgroup");
            foreach (var h in host.Hierarchies)
            {
                var line = lines.Single(l => MatchesHierarchy(l, h));
                Assert.EndsWith(":/" + id, line);
            }
            Assert.Equal([sleep.Id], manager.GetPids());

            if (manager.GetFreezerState() != FreezerState.Unknown)
            {
                Assert.Equal(FreezerState.Thawed, manager.GetFreezerState());
                manager.Freeze();
                Assert.Equal(FreezerState.Frozen, manager.GetFreezerState());
                if (manager.GetPath("freezer") is { } freezerDir && host.Mode != CgroupMode.V2)
                    Assert.Equal("FROZEN", File.ReadAllText(Path.Combine(freezerDir, "freezer.state")).Trim());
                // A frozen task sleeps uninterruptibly in the freezer (v1) or is stopped in the signal path (v2).
                var state = File.ReadAllLines($"/proc/{sleep.Id}/status").Single(l => l.StartsWith("State:", StringComparison.Ordinal));
                Assert.Matches(@"State:\s+[DSt]", state);
                manager.Thaw();
                Assert.Equal(FreezerState.Thawed, manager.GetFreezerState());
            }

            manager.SignalAll(9);
            Assert.True(sleep.WaitForExit(5000), "sleep survived SignalAll(SIGKILL)");
            Assert.Equal(137, sleep.ExitCode);

            manager.Destroy();
            Assert.False(manager.Exists());
            foreach (var dir in manager.Paths.Values) Assert.False(Directory.Exists(dir), dir);
            Assert.Empty(LeftoversUnder("/sys/fs/cgroup", id));
        }
        finally
        {
            Cleanup(manager, sleep);
        }
    }

    [Fact]
    public void DestroyKillsRemainingProcessesAndRemovesChildCgroups()
    {
        if (!CanUseHostCgroups(out var host)) return;
        var id = UniqueId();
        var manager = CgroupManagerFactory.Create(host, "/" + id, id);
        Process? sleep = null;
        try
        {
            manager.Create();
            // A nested cgroup, as a container that manages its own cgroups would make.
            foreach (var dir in manager.Paths.Values) Directory.CreateDirectory(Path.Combine(dir, "nested"));
            sleep = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
            manager.AddProcess(sleep.Id);

            // The live process makes the first rmdir fail with EBUSY; Destroy kills it and retries.
            manager.Destroy();
            Assert.True(sleep.WaitForExit(5000));
            Assert.False(manager.Exists());
            Assert.Empty(LeftoversUnder("/sys/fs/cgroup", id));
        }
        finally
        {
            Cleanup(manager, sleep);
        }
    }

    [Fact]
    public void EmptyCgroupsPathLandsUnderTheCallersCgroup()
    {
        if (!CanUseHostCgroups(out var host)) return;
        var id = UniqueId();
        var manager = CgroupManagerFactory.Create(host, null, id);
        try
        {
            foreach (var h in host.Hierarchies)
            {
                var own = host.GetOwnPath(h);
                if (h.IsUnified && host.Mode == CgroupMode.V2) own = Path.GetDirectoryName(own) ?? "/";
                Assert.Equal(h.DirectoryFor(own.TrimEnd('/') + "/" + id), manager.Paths[h.Key]);
            }
            manager.Create();
            Assert.True(manager.Exists());
            manager.Destroy();
            Assert.False(manager.Exists());
        }
        finally
        {
            Cleanup(manager, null);
        }
    }

    [Fact]
    public void AddingAVanishedProcessReportsEsrch()
    {
        if (!CanUseHostCgroups(out var host)) return;
        var id = UniqueId();
        var manager = CgroupManagerFactory.Create(host, "/" + id, id);
        try
        {
            manager.Create();
            var e = Assert.Throws<CgroupException>(() => manager.AddProcess(int.MaxValue - 1));
            Assert.EndsWith("/cgroup.procs: no such process (ESRCH)", e.Message);
            Assert.StartsWith($"write {int.MaxValue - 1} to /sys/fs/cgroup/", e.Message);
        }
        finally
        {
            Cleanup(manager, null);
        }
    }

    private static bool MatchesHierarchy(string procCgroupLine, CgroupHierarchy h)
    {
        var parts = procCgroupLine.Split(':', 3);
        if (h.IsUnified) return parts[0] == "0" && parts[1].Length == 0;
        var controllers = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries);
        return controllers.Length == h.Controllers.Count && controllers.All(h.Controllers.Contains);
    }

    /// <summary>Directories named <paramref name="id"/> anywhere two levels under the cgroup root (mount / cgroup).</summary>
    private static List<string> LeftoversUnder(string root, string id)
    {
        var found = new List<string>();
        if (Directory.Exists(Path.Combine(root, id))) found.Add(Path.Combine(root, id));
        foreach (var mount in Directory.GetDirectories(root))
            if (Directory.Exists(Path.Combine(mount, id))) found.Add(Path.Combine(mount, id));
        return found;
    }

    private static void Cleanup(ICgroupManager manager, Process? child)
    {
        try
        {
            if (child is { HasExited: false })
            {
                child.Kill();
                child.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
        finally
        {
            child?.Dispose();
        }

        try
        {
            if (manager.Exists()) manager.Destroy();
        }
        catch (CgroupException)
        {
            // Last resort: thaw and rmdir deepest-first by hand so the host is not left with stray cgroups.
            foreach (var dir in manager.Paths.Values)
            {
                TryWrite(Path.Combine(dir, "freezer.state"), "THAWED");
                TryWrite(Path.Combine(dir, "cgroup.freeze"), "0");
                RemoveDeepestFirst(dir);
            }
        }
    }

    private static void TryWrite(string path, string value)
    {
        try { if (File.Exists(path)) File.WriteAllText(path, value); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void RemoveDeepestFirst(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var child in Directory.GetDirectories(dir)) RemoveDeepestFirst(child);
        try { Directory.Delete(dir); }
        catch (IOException) { }
    }
}
