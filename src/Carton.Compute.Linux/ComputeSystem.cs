using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Carton.Linux.Interop;
using Carton.Oci;
using Carton.Runtime;

namespace Carton.Compute.Linux;

/// <summary>
/// A handle on one compute system. Operations that change the system serialize on a per-id lock held by the service
/// (every handle of the same id shares it). Disposing the handle ends its event streams; the system lives on.
/// </summary>
public sealed class ComputeSystem : IComputeSystem
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(30);
    private readonly ComputeService _service;
    private readonly SystemEntry _entry;
    private readonly List<Channel<ComputeSystemEvent>> _streams = [];
    private bool _disposed;

    internal ComputeSystem(ComputeService service, SystemEntry entry)
    {
        _service = service;
        _entry = entry;
    }

    /// <inheritdoc/>
    public string Id => _entry.Id;

    /// <summary>The host file receiving the init's stdout (stderr: <see cref="InitStderrPath"/>).</summary>
    public string InitStdoutPath => Path.Combine(_service.ScratchOf(Id), "init.out");
    /// <summary>The host file receiving the init's stderr (init.err in the scratch directory).</summary>
    public string InitStderrPath => Path.Combine(_service.ScratchOf(Id), "init.err");

    private StateStore Store => _service.Store;
    private Lifecycle Life => _service.Life;

    private async Task<T> Locked<T>(Func<Task<T>> op, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try { return await op().ConfigureAwait(false); }
        catch (Exception e) when (e is not ComputeException and not OperationCanceledException) { throw RuntimeErrors.Map(e, Id); }
        finally { _entry.Gate.Release(); }
    }

    private Task Locked(Func<Task> op, CancellationToken ct) => Locked(async () => { await op().ConfigureAwait(false); return 0; }, ct);

    private Task Locked(Action op, CancellationToken ct) => Locked(() => { op(); return Task.FromResult(0); }, ct);

    /// <summary>The record and runtime status; NotFound when the system was deleted.</summary>
    private (ContainerRecord Record, string Status) Current()
    {
        if (!Store.Exists(Id)) throw new ComputeSystemNotFoundException(Id);
        ContainerRecord r;
        try { r = Store.Load(Id); }
        catch (RuntimeError) { throw new ComputeSystemNotFoundException(Id); }
        return (r, Life.StatusOf(r));
    }

    private string Require(string operation, params string[] allowed)
    {
        var (_, status) = Current();
        if (!allowed.Contains(status))
        {
            if (status == ContainerStatus.Stopped && operation is "shut down" or "terminate") throw new ComputeSystemAlreadyStoppedException(Id);
            throw new InvalidComputeSystemStateException(Id, status, operation);
        }
        return status;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidComputeSystemStateException">the system is not created</exception>
    /// <remarks>A stopped system starts again: a new init, in the same root file system, networking and limits.</remarks>
    public Task StartAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        var (record, status) = Current();
        if (status == ContainerStatus.Stopped) await _service.RecreateAsync(Id, _entry, record).ConfigureAwait(false);
        else if (status != ContainerStatus.Created) throw new InvalidComputeSystemStateException(Id, status, "start");
        Life.Start(Id);
        _service.RecordStarted(Id);
        _entry.PublishState(ContainerStatus.Running);
    }, cancellationToken);

    /// <inheritdoc/>
    public Task SignalAsync(int signal, CancellationToken cancellationToken = default) => Locked(() =>
    {
        if (signal is < 1 or > 64) throw new InvalidComputeDocumentException("signal", $"{signal}: must be 1..64");
        Require("signal", ContainerStatus.Created, ContainerStatus.Running, ContainerStatus.Paused);
        try { Life.Kill(Id, signal, all: false); }
        catch (RuntimeError) when (Life.IsStopped(Id)) { throw new InvalidComputeSystemStateException(Id, ContainerStatus.Stopped, "signal"); }
    }, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="InvalidComputeSystemStateException">the system is not running</exception>
    public Task PauseAsync(CancellationToken cancellationToken = default) => Locked(() =>
    {
        Require("pause", ContainerStatus.Running);
        Life.Pause(Id);
        _entry.PublishState(ContainerStatus.Paused);
    }, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="InvalidComputeSystemStateException">the system is not paused</exception>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => Locked(() =>
    {
        Require("resume", ContainerStatus.Paused);
        Life.Resume(Id);
        _entry.PublishState(ContainerStatus.Running);
    }, cancellationToken);

    /// <inheritdoc/>
    public Task ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => Locked(async () =>
    {
        var status = Require("shut down", ContainerStatus.Created, ContainerStatus.Running, ContainerStatus.Paused);
        // A frozen init cannot handle SIGTERM: thaw it first.
        if (status == ContainerStatus.Paused) Life.Resume(Id);
        try { Life.Kill(Id, 15, all: false); }
        catch (RuntimeError) when (Life.IsStopped(Id)) { }
        if (await WaitExitAsync(timeout, cancellationToken).ConfigureAwait(false)) return;
        await KillAllAndWaitAsync(cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    /// <inheritdoc/>
    public Task TerminateAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        Require("terminate", ContainerStatus.Created, ContainerStatus.Running, ContainerStatus.Paused);
        await KillAllAndWaitAsync(cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    private async Task KillAllAndWaitAsync(CancellationToken ct)
    {
        Life.Kill(Id, 9, all: true);
        if (!await WaitExitAsync(KillWait, ct).ConfigureAwait(false))
            throw new ComputeException("Failed", $"compute system \"{Id}\" did not exit {KillWait.TotalSeconds} s after SIGKILL");
    }

    /// <summary>True once the init has exited (and, when it is our child, been reaped), false at the timeout.</summary>
    private async Task<bool> WaitExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (_entry.Init is { } reaper)
        {
            var done = await Task.WhenAny(reaper.Exited, Task.Delay(timeout, ct)).ConfigureAwait(false);
            if (done != reaper.Exited) ct.ThrowIfCancellationRequested();
            return done == reaper.Exited;
        }
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Life.IsStopped(Id)) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The init's exit code, as its monitor recorded it (or as this process reaped it without a monitor); -1 only for a
    /// system opened from the state store that no monitor watched (created by another process with UseMonitor false).
    /// </summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_entry.Init is { } reaper) return await reaper.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!Store.Exists(Id)) throw new ComputeSystemNotFoundException(Id);
        while (!Life.IsStopped(Id)) await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        return _entry.ExitCode ?? -1;
    }

    /// <inheritdoc/>
    /// <exception cref="ComputeSystemNotFoundException">the system was deleted</exception>
    /// <remarks>Not serialized with the operations (an inspect must not wait for a stop's timeout), so a read can meet
    /// a start that recreates the runtime container: it waits for that start's recreation, and a read that a
    /// recreation overtook reads again.</remarks>
    public async Task<ComputeSystemProperties> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var attempt = 1; ; attempt++)
        {
            // the number first: a recreation counts itself after it is marked under way, so a read that saw the
            // number already counted sees the recreation too
            var generation = _entry.Recreations;
            await _entry.RecreationDone.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (ReadProperties(generation) is { } props) return props;
            }
            catch (ComputeException) when (attempt < 3 && _entry.Recreations != generation) { }
            if (attempt >= 3) throw new ComputeException("Failed", $"compute system \"{Id}\" was restarted during each of {attempt} reads of its properties");
        }
    }

    /// <summary>One read of the properties; null when a recreation began during it (the caller reads again).</summary>
    private ComputeSystemProperties? ReadProperties(int generation)
    {
        try
        {
            var summary = _service.Summarize(Id);
            var record = _service.ReadRecord(Id);
            var props = new ComputeSystemProperties
            {
                Summary = summary, Warnings = record.Warnings.Count > 0 ? record.Warnings : null,
                InitStdoutPath = record.Io is null ? record.StdoutPath : null, InitStderrPath = record.Io is null ? record.StderrPath : null,
                InitLogPath = record.Io is { LogPath.Length: > 0 } ? record.Io.LogPath : null,
                InitAttachSocket = record.Io is { } io && summary.State != ContainerStatus.Stopped ? io.AttachSocket : null,
                RootfsPath = record.OverlayMountPoint ?? RootOf(),
            };
            if (summary.State != ContainerStatus.Stopped)
            {
                try
                {
                    props.Processes = [.. Life.Pids(Id)];
                    props.Statistics = StatisticsMapping.From(Life.Stats(Id), summary.Pid);
                }
                catch (Exception e) when (e is RuntimeError or Carton.Linux.Cgroups.CgroupException or IOException && _entry.Recreations != generation)
                {
                    return null;
                }
                catch (Exception e) when (e is RuntimeError or Carton.Linux.Cgroups.CgroupException or IOException && Life.IsStopped(Id))
                {
                    // It stopped (or was deleted) meanwhile: report it as it is now.
                    props.Summary = _service.Summarize(Id);
                    props.Processes = [];
                    props.Statistics = null;
                }
            }
            return props;
        }
        catch (Exception e) when (e is not ComputeException)
        {
            if (!Store.Exists(Id)) throw new ComputeSystemNotFoundException(Id);
            throw RuntimeErrors.Map(e, Id);
        }
    }

    /// <summary>The root file system of a system made from a bundle (as the runtime recorded it).</summary>
    private string? RootOf()
    {
        try { return Store.Load(Id).Rootfs is { Length: > 0 } r ? r : null; }
        catch (RuntimeError) { return null; }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidComputeSystemStateException">the system is stopped</exception>
    public Task UpdateResourcesAsync(ComputeResources resources, CancellationToken cancellationToken = default) => Locked(() =>
    {
        ArgumentNullException.ThrowIfNull(resources);
        Require("update", ContainerStatus.Created, ContainerStatus.Running, ContainerStatus.Paused);
        var warnings = new List<string>();
        var change = HcsTranslator.TranslateResources(resources, new HcsTranslationContext { Id = Id, ScratchDirectory = _service.ScratchOf(Id) }, warnings);
        Life.Update(Id, current => ResourceGroups.Merge(current, change));
        if (warnings.Count > 0) _service.AddWarnings(Id, warnings);
    }, cancellationToken);

    /// <inheritdoc/>
    public Task<IComputeProcess> CreateProcessAsync(ProcessParameters parameters, CancellationToken cancellationToken = default) =>
        Locked(() => BlockingWork.Run(() =>
        {
            ArgumentNullException.ThrowIfNull(parameters);
            var (record, status) = Current();
            if (status != ContainerStatus.Running) throw new InvalidComputeSystemStateException(Id, status, "create a process in");
            return (IComputeProcess)ComputeProcess.Start(Life, record, parameters);
        }), cancellationToken);

    /// <inheritdoc/>
    public async IAsyncEnumerable<ComputeSystemEvent> EventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ch = _entry.Subscribe();
        lock (_streams) _streams.Add(ch);
        try
        {
            while (await ch.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                while (ch.Reader.TryRead(out var e))
                    yield return e;
        }
        finally
        {
            lock (_streams) _streams.Remove(ch);
            _entry.Unsubscribe(ch);
        }
    }

    /// <inheritdoc/>
    public Task DeleteAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        if (!Store.Exists(Id))
        {
            // A create interrupted before its state was written can leave the scratch directory: clean it.
            if (!Directory.Exists(_service.ScratchOf(Id))) throw new ComputeSystemNotFoundException(Id);
        }
        else
        {
            var (_, status) = Current();
            if (status != ContainerStatus.Stopped)
            {
                try { Life.Kill(Id, 9, all: true); }
                catch (RuntimeError) { }
                catch (SyscallException) { }
                await WaitExitAsync(KillWait, cancellationToken).ConfigureAwait(false);
            }
            else if (_entry.Init is { } reaper)
                await reaper.Exited.WaitAsync(KillWait, cancellationToken).ConfigureAwait(false);
            await BlockingWork.Run(() => Life.Delete(Id, force: true)).ConfigureAwait(false);
        }
        await _entry.StopOomAsync().ConfigureAwait(false);
        // the network's CNI DEL runs plugin processes: a thread of its own, as for create
        await BlockingWork.Run(() => _service.RemoveScratch(Id)).ConfigureAwait(false);
        _entry.PublishState("deleted");
        _entry.MarkDeleted();
        _service.Forget(_entry);
    }, cancellationToken);

    /// <summary>Ends this handle's event streams; the system keeps running (delete it with <see cref="DeleteAsync"/>).</summary>
    public ValueTask DisposeAsync()
    {
        if (_disposed) return ValueTask.CompletedTask;
        _disposed = true;
        lock (_streams)
        {
            foreach (var ch in _streams) _entry.Unsubscribe(ch);
            _streams.Clear();
        }
        return ValueTask.CompletedTask;
    }
}
