using System.Collections.Concurrent;
using Carton.Compute;

namespace Carton.Service;

/// <summary>
/// The daemon's handles: one <see cref="IComputeSystem"/> per id (opened on first use, so systems created by an earlier
/// daemon are re-adopted lazily as well as at start), and the <see cref="IComputeProcess"/> objects of processes
/// created through the API, keyed by (system id, pid), so later calls (stdio, signal, wait) find them.
/// </summary>
public sealed class ComputeRegistry(IComputeService service)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IComputeSystem>>> _systems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Id, int Pid), ProcessEntry> _processes = new();

    public IComputeService Service { get; } = service;

    public async Task<IComputeSystem> CreateAsync(string id, ComputeSystemDocument document, CancellationToken ct)
    {
        var system = await Service.CreateComputeSystemAsync(id, document, ct).ConfigureAwait(false);
        var entry = new Lazy<Task<IComputeSystem>>(Task.FromResult(system));
        _systems[id] = entry;
        return system;
    }

    public async Task<IComputeSystem> GetAsync(string id, CancellationToken ct)
    {
        var lazy = _systems.GetOrAdd(id, key => new Lazy<Task<IComputeSystem>>(() => Service.OpenComputeSystemAsync(key, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            // a failed open (not found, say) is not cached: the system may be created later
            _systems.TryRemove(new KeyValuePair<string, Lazy<Task<IComputeSystem>>>(id, lazy));
            throw;
        }
    }

    /// <summary>Deletes the system and forgets its handles and processes.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        var system = await GetAsync(id, ct).ConfigureAwait(false);
        await system.DeleteAsync(ct).ConfigureAwait(false);
        _systems.TryRemove(id, out _);
        foreach (var key in _processes.Keys.Where(k => k.Id == id).ToList())
            if (_processes.TryRemove(key, out var p))
                await DisposeQuietly(p.Process).ConfigureAwait(false);
        await DisposeQuietly(system).ConfigureAwait(false);
    }

    public ProcessEntry AddProcess(string id, IComputeProcess process)
    {
        var entry = new ProcessEntry(process);
        _processes[(id, process.Pid)] = entry;
        return entry;
    }

    public ProcessEntry GetProcess(string id, int pid) =>
        _processes.TryGetValue((id, pid), out var p) ? p : throw new ComputeException("ProcessNotFound", $"process {pid} of compute system \"{id}\" is not known to this daemon");

    /// <summary>Opens every system in the state root (at start: a restarted daemon re-adopts what the previous one left).</summary>
    public async Task<int> AdoptAllAsync(CancellationToken ct)
    {
        int n = 0;
        await foreach (var summary in Service.EnumerateComputeSystemsAsync(null, ct).ConfigureAwait(false))
        {
            try
            {
                await GetAsync(summary.Id, ct).ConfigureAwait(false);
                n++;
            }
            catch (ComputeException e)
            {
                JsonLog.Warn("re-adopt compute system failed", w => { w.WriteString("id", summary.Id); w.WriteString("error", e.Message); });
            }
        }
        return n;
    }

    private static async Task DisposeQuietly(IAsyncDisposable d)
    {
        try { await d.DisposeAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or ComputeException) { }
    }
}

/// <summary>A process and the guards that keep each of its stdio streams to one HTTP reader or writer at a time.</summary>
public sealed class ProcessEntry(IComputeProcess process)
{
    public IComputeProcess Process { get; } = process;
    public SemaphoreSlim StdinGate { get; } = new(1, 1);
    public SemaphoreSlim StdoutGate { get; } = new(1, 1);
    public SemaphoreSlim StderrGate { get; } = new(1, 1);
}
