using System.Collections.Concurrent;
using Carton.Images.Content;
using Carton.Images.Linux.Maintenance;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Gc;

/// <summary>
/// Issue 16: a prune that runs beside a pull, or beside a container being created from an image, never removes a
/// blob or snapshot either needs. Prunes (alternately plain and --all) run back to back while one task pulls an
/// image round after round and another creates systems from a second image (pulling it when missing, as the
/// compute service does), each round's name removed afterwards so the next round downloads and unpacks again and
/// the prunes always have something to take. With the store lease disabled (StoreLease.Take returning no lock) this
/// test fails: names pointing at deleted blobs, creates whose image or layers vanish under them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(RegistryCollection.Name)]
public sealed class PruneRaceTests(RegistryFixture registries) : IDisposable
{
    private readonly GcStore _s = new();

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task PrunesBesidePullsAndCreates_NeverRemoveWhatTheyNeed()
    {
        const int rounds = 25;
        var single = GcStore.Reference(registries, TestImages.SingleOci);
        var mixed = GcStore.Reference(registries, TestImages.Mixed);
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        var pruner = Task.Run(async () =>
        {
            int n = 0;
            long reclaimed = 0;
            while (!stop.IsCancellationRequested)
                reclaimed += (await ImagePruner.PruneAsync(_s.Store, all: n++ % 2 == 1)).ReclaimedBytes;
            return (n, reclaimed);
        });

        var puller = Task.Run(async () =>
        {
            for (int i = 0; i < rounds; i++)
            {
                try { await _s.Store.PullAsync(single, registries.Options()); }
                catch (CartonException e) { failures.Enqueue($"pull {i}: {e.Message}"); continue; }
                // Checked under a lease of its own: a prune --all may remove the name (no container uses it), but a
                // name that is there must have every blob, verified.
                using (StoreLease.Shared(_s.Root))
                    if (_s.Store.Get(single) is not null && !_s.IsComplete(single, out var why))
                        failures.Enqueue($"pull {i}: {single} is named but incomplete: {why}");
            }
        });

        var creator = Task.Run(async () =>
        {
            for (int i = 0; i < rounds; i++)
            {
                var key = $"gc16-race-{i}";
                try
                {
                    var snapshot = await _s.CreateFromImageAsync(mixed, key, registries.Options());
                    var found = _s.Snapshots.Find(key);
                    if (found is null) failures.Enqueue($"create {i}: the snapshot is gone");
                    else
                    {
                        foreach (var dir in found.LowerDirs)
                            if (!Directory.Exists(dir)) failures.Enqueue($"create {i}: layer {dir} is gone");
                        if (!File.Exists(Path.Combine(found.LowerDirs[^1], "bin", "busybox")))
                            failures.Enqueue($"create {i}: the base layer lost bin/busybox");
                    }
                    _s.Snapshots.Remove(snapshot.Key); // the system is deleted
                }
                catch (CartonException e) { failures.Enqueue($"create {i}: {e.Message}"); }
                await _s.Store.RemoveAsync(mixed); // so the next round pulls and unpacks it again
            }
        });

        await Task.WhenAll(puller, creator);
        await stop.CancelAsync();
        var (prunes, reclaimed) = await pruner;

        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.True(prunes > rounds, $"only {prunes} prunes ran beside {rounds} rounds");
        Assert.True(reclaimed > 0, "the prunes never removed anything: the race was not run");
        Assert.Empty(StoreChecker.Check(_s.Store));
    }
}
