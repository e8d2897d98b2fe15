using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Stats;

namespace Carton.Linux.Tests.Cgroups.Stats;

/// <summary>
/// Statistics and OOM events from the host's real cgroups (needs root and v1 memory, cpuacct and pids hierarchies,
/// as on a v1 or hybrid host; otherwise the tests return early). Each test makes its own
/// carton-stats-test-&lt;guid&gt; cgroups and removes them, and its processes, in a finally block.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupStatsRealHostTests
{
    private const string BusyLoop = "read x; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo done; read y";

    private static bool CanUseHostCgroups(out CgroupHost host, params string[] controllers)
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
        var h = host;
        return host.Mode != CgroupMode.V2 && controllers.All(c => h.FindByController(c) is { } m && Directory.Exists(m.MountPoint));
    }

    /// <summary>mkdir &lt;mount&gt;/carton-stats-test-&lt;guid&gt; in each controller's hierarchy, and in the unified tree when asked.</summary>
    private static Dictionary<string, string> MakeCgroups(CgroupHost host, bool unified, params string[] controllers)
    {
        var name = "carton-stats-test-" + Guid.NewGuid().ToString("N")[..12];
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var controller in controllers)
        {
            var hierarchy = host.FindByController(controller)!;
            paths[hierarchy.Key] = Path.Combine(hierarchy.MountPoint, name);
        }
        if (unified && host.Unified is { } u && Directory.Exists(u.MountPoint)) paths[""] = Path.Combine(u.MountPoint, name);
        foreach (var dir in paths.Values) Directory.CreateDirectory(dir);
        return paths;
    }

    private static Process StartShell(string script) =>
        Process.Start(new ProcessStartInfo("sh", ["-c", script])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;

    private static void MoveInto(Dictionary<string, string> paths, int pid)
    {
        foreach (var dir in paths.Values) File.WriteAllText(Path.Combine(dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
    }

    private static void CleanUp(Dictionary<string, string> paths, Process? process)
    {
        if (process is { HasExited: false })
        {
            try { process.Kill(); process.WaitForExit(5000); }
            catch (InvalidOperationException) { }
        }
        foreach (var dir in paths.Values)
        {
            for (var attempt = 0; attempt < 50 && Directory.Exists(dir); attempt++)
            {
                try
                {
                    Directory.Delete(dir); // rmdir: the control files are not real files
                }
                catch (IOException)
                {
                    foreach (var line in File.ReadAllLines(Path.Combine(dir, "cgroup.procs")))
                        try { Process.GetProcessById(int.Parse(line, CultureInfo.InvariantCulture)).Kill(); }
                        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
                    Thread.Sleep(20);
                }
            }
        }
    }

    [Fact]
    public void StatsOfARealBusyProcess()
    {
        if (!CanUseHostCgroups(out var host, "memory", "cpuacct", "pids")) return;
        var paths = MakeCgroups(host, unified: true, "memory", "cpu", "cpuacct", "pids", "blkio");
        Process? shell = null;
        try
        {
            shell = StartShell(BusyLoop);
            MoveInto(paths, shell.Id);
            shell.StandardInput.WriteLine("go");
            shell.StandardInput.Flush();
            Assert.Equal("done", shell.StandardOutput.ReadLine());

            var stats = CgroupStatsReader.Read(host, paths);
            Assert.True(stats.Cpu.Usage.Total > 0, "cpu total");
            Assert.True(stats.Cpu.Usage.User + stats.Cpu.Usage.Kernel > 0, "cpu user+kernel");
            Assert.NotNull(stats.Cpu.Usage.Percpu);
            Assert.Equal(Environment.ProcessorCount, stats.Cpu.Usage.Percpu!.Count);
            Assert.True(stats.Memory.Usage.Usage > 0, "memory usage");
            Assert.True(stats.Memory.Usage.Limit > 0, "memory limit");
            Assert.NotNull(stats.Memory.Raw);
            Assert.True(stats.Pids.Current >= 1, "pids.current");
            Assert.Equal(0UL, stats.Pids.Limit); // "max"
            Assert.Equal(0, CgroupStatsReader.OomKillCount(host, paths));

            var json = JsonSerializer.Serialize(Carton.Oci.CgroupEvent.Stats("real", stats), Carton.Oci.CgroupStatsJsonContext.Default.CgroupEvent);
            using var doc = JsonDocument.Parse(json);
            Assert.True(doc.RootElement.GetProperty("data").GetProperty("cpu").GetProperty("usage").GetProperty("total").GetUInt64() > 0);
        }
        finally
        {
            CleanUp(paths, shell);
        }
    }

    [Fact]
    public void OomKillIsReportedByTheWatcherAndCounted()
    {
        if (!CanUseHostCgroups(out var host, "memory")) return;
        var paths = MakeCgroups(host, unified: true, "memory");
        var memory = paths[host.FindByController("memory")!.Key];
        Process? hog = null;
        try
        {
            File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), (8 << 20).ToString(CultureInfo.InvariantCulture));
            // With swap accounting, also cap memory+swap so the hog cannot escape into swap.
            var memsw = Path.Combine(memory, "memory.memsw.limit_in_bytes");
            if (File.Exists(memsw)) File.WriteAllText(memsw, (8 << 20).ToString(CultureInfo.InvariantCulture));

            using var watcher = CgroupOomWatcher.Open(host, paths);
            Assert.Equal(OomWatchResult.Timeout, watcher.Wait(TimeSpan.FromMilliseconds(50)));

            // The shell waits on stdin until it is inside the cgroup, then doubles a string until the OOM killer acts.
            hog = StartShell("read x; a=x; while true; do a=$a$a; done");
            MoveInto(paths, hog.Id);
            hog.StandardInput.WriteLine("go");
            hog.StandardInput.Flush();

            Assert.Equal(OomWatchResult.Oom, watcher.Wait(TimeSpan.FromSeconds(10)));
            Assert.True(hog.WaitForExit(10_000), "the hog survived");
            Assert.Equal(137, hog.ExitCode); // SIGKILL
            Assert.True(CgroupStatsReader.OomKillCount(host, paths) >= 1);
            var stats = CgroupStatsReader.Read(host, paths);
            // (memory.failcnt is not asserted: recent kernels leave it at 0 when the memory+swap limit is the one hit.)
            Assert.InRange(stats.Memory.Usage.Max, 4UL << 20, 8UL << 20);
            Assert.Equal(8UL << 20, stats.Memory.Usage.Limit);

            // The cgroup is now empty: on a hybrid host the unified tree's cgroup.events says so.
            if (paths.ContainsKey(""))
            {
                var result = watcher.Wait(TimeSpan.FromSeconds(5));
                while (result == OomWatchResult.Oom) result = watcher.Wait(TimeSpan.FromSeconds(5));
                Assert.Equal(OomWatchResult.Exited, result);
            }
        }
        finally
        {
            CleanUp(paths, hog);
        }
    }

    [Fact]
    public async Task RemovingAV1MemoryCgroupEndsTheWatch()
    {
        if (!CanUseHostCgroups(out var host, "memory")) return;
        var paths = MakeCgroups(host, unified: false, "memory");
        try
        {
            using var watcher = CgroupOomWatcher.Open(host, paths);
            var waiter = Task.Run(() => watcher.Wait(TimeSpan.FromSeconds(10)));
            await Task.Delay(50);
            foreach (var dir in paths.Values) Directory.Delete(dir);
            Assert.Equal(OomWatchResult.Exited, await waiter);
        }
        finally
        {
            CleanUp(paths, null);
        }
    }
}
