using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Stats;

namespace Carton.Linux.Tests.Cgroups.Stats;

/// <summary>
/// The cgroup2 watcher uses inotify, which works on the plain files of a fake tree, so its logic (counting oom_kill
/// increases, exit on "populated 0" or removal, timeout, cancellation) is testable without root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupOomWatcherFakeTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(150), Long = TimeSpan.FromSeconds(5);

    private static (FakeCgroupTree Tree, CgroupHost Host, Dictionary<string, string> Paths) V2(ulong oomKills = 0)
    {
        var tree = new FakeCgroupTree();
        var dir = tree.AddUnified("", "memory pids") + "/ctr";
        Directory.CreateDirectory(dir);
        tree.Write("ctr/memory.events", Events(0, oomKills));
        tree.Write("ctr/cgroup.events", "populated 1\nfrozen 0\n");
        return (tree, tree.Host(), new Dictionary<string, string> { [""] = dir });
    }

    private static string Events(ulong max, ulong oomKills) =>
        $"low 0\nhigh 0\nmax {max}\noom {oomKills}\noom_kill {oomKills}\noom_group_kill 0\n";

    [Fact]
    public void ReportsOnlyNewOomKillsThenTheExit()
    {
        var (tree, host, paths) = V2(oomKills: 4); // earlier OOMs are not reported again
        using var _ = tree;
        using var watcher = CgroupOomWatcher.Open(host, paths);
        Assert.Equal(paths[""], watcher.MemoryDirectory);
        Assert.Equal(OomWatchResult.Timeout, watcher.Wait(Short));

        tree.Write("ctr/memory.events", Events(max: 3, oomKills: 4)); // modified, but no new kill
        Assert.Equal(OomWatchResult.Timeout, watcher.Wait(Short));

        tree.Write("ctr/memory.events", Events(max: 5, oomKills: 6));
        Assert.Equal(OomWatchResult.Oom, watcher.Wait(Long));
        Assert.Equal(OomWatchResult.Oom, watcher.Wait(Long));
        Assert.Equal(OomWatchResult.Timeout, watcher.Wait(Short));

        tree.Write("ctr/cgroup.events", "populated 0\nfrozen 0\n");
        Assert.Equal(OomWatchResult.Exited, watcher.Wait(Long));
        Assert.Equal(OomWatchResult.Exited, watcher.Wait(Short));
    }

    [Fact]
    public void AnOomKillThatEmptiesTheCgroupIsReportedBeforeTheExit()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        using var watcher = CgroupOomWatcher.Open(host, paths);
        tree.Write("ctr/memory.events", Events(1, 1));
        tree.Write("ctr/cgroup.events", "populated 0\nfrozen 0\n");
        Thread.Sleep(50);
        Assert.Equal(OomWatchResult.Oom, watcher.Wait(Long));
        Assert.Equal(OomWatchResult.Exited, watcher.Wait(Long));
    }

    [Fact]
    public async Task RemovalEndsTheWatch()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        using var watcher = CgroupOomWatcher.Open(host, paths);
        var waiter = Task.Run(() => watcher.Wait(Long));
        Thread.Sleep(50);
        Directory.Delete(paths[""], recursive: true);
        Assert.Equal(OomWatchResult.Exited, await waiter);
    }

    [Fact]
    public async Task CancellationInterruptsAnInfiniteWait()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        using var watcher = CgroupOomWatcher.Open(host, paths);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var waiter = Task.Run(() => watcher.Wait(Timeout.InfiniteTimeSpan, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter).WaitAsync(Long);
        // Still usable afterwards.
        Assert.Equal(OomWatchResult.Timeout, watcher.Wait(Short));
    }

    [Fact]
    public async Task WatchAsyncYieldsRunningCountsUntilExit()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        using var watcher = CgroupOomWatcher.Open(host, paths);
        var writer = Task.Run(async () =>
        {
            await Task.Delay(50);
            tree.Write("ctr/memory.events", Events(1, 2));
            await Task.Delay(50);
            tree.Write("ctr/cgroup.events", "populated 0\nfrozen 0\n");
        });
        var seen = new List<int>();
        using var cts = new CancellationTokenSource(Long);
        await foreach (var count in watcher.WatchAsync(cts.Token)) seen.Add(count);
        await writer;
        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public void NoMemoryCgroupIsAnError()
    {
        using var tree = new FakeCgroupTree();
        var pids = tree.AddV1("pids", "pids") + "/c";
        var e = Assert.Throws<CgroupException>(() => CgroupOomWatcher.Open(tree.Host(), new Dictionary<string, string> { ["pids"] = pids }));
        Assert.Equal(Carton.Linux.Interop.Errno.EOPNOTSUPP, e.Errno);
    }

    [Fact]
    public void MissingMemoryEventsFileFailsToOpen()
    {
        var (tree, host, paths) = V2();
        using var _ = tree;
        File.Delete(Path.Combine(paths[""], "memory.events"));
        var e = Assert.Throws<CgroupException>(() => CgroupOomWatcher.Open(host, paths));
        Assert.Contains("memory.events", e.Message);
        Assert.Equal(Carton.Linux.Interop.Errno.ENOENT, e.Errno);
    }
}
