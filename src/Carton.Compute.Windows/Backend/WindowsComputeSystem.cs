using System.Runtime.CompilerServices;
using System.Text.Json;
using Carton.Compute;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows;

/// <summary>
/// <see cref="IComputeSystem"/> over an HCS compute system. The HCS calls map one to one (start, pause, resume,
/// shutdown, terminate, properties, create process); what HCS has no call for is said on the member.
/// </summary>
public sealed class WindowsComputeSystem : IComputeSystem
{
    /// <summary>How long a terminate may take before the system counts as stuck (the contract's 30 s).</summary>
    internal static TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(30);

    private readonly WindowsComputeService _service;
    private readonly WindowsSystemEntry _entry;
    private readonly CancellationTokenSource _disposed = new();

    internal WindowsComputeSystem(WindowsComputeService service, WindowsSystemEntry entry)
    {
        _service = service;
        _entry = entry;
    }

    /// <inheritdoc/>
    public string Id => _entry.Id;

    /// <inheritdoc/>
    /// <remarks>Starts the HCS system, then creates its init process from the init ProcessParameters. A stopped
    /// system cannot start again: HCS does not restart a stopped compute system, it must be created anew from its
    /// document, which this backend does not do yet (kind Unsupported).</remarks>
    public Task StartAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        switch (_entry.State)
        {
            case "running" or "paused":
                throw new InvalidComputeSystemStateException(Id, _entry.State, "start");
            case "stopped":
                throw new ComputeException(ErrorKind.Unsupported,
                    $"cannot start compute system \"{Id}\" again: HCS does not restart a stopped compute system, and recreating it from its document is not implemented on Windows");
        }
        await Map(() => _entry.System.StartAsync(cancellationToken), "start").ConfigureAwait(false);
        if (_entry.Documents?.InitProcess is { } init)
        {
            HcsComputeProcess process;
            try
            {
                process = await _entry.System.CreateProcessAsync(init, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HcsException or OperationCanceledException)
            {
                // A container without its init is no container: stop what was started, so a failed start leaves it stopped.
                try { await _entry.System.TerminateAsync(CancellationToken.None).ConfigureAwait(false); } catch (HcsException) { }
                _entry.SetState("stopped");
                if (e is HcsException h) throw HcsErrorMapping.ToComputeException(h, Id, "start the init process of");
                throw;
            }
            // The init's stdio is not relayed on Windows (InitIo is refused at create): close this side's ends.
            process.StandardInput?.Dispose();
            process.StandardOutput?.Dispose();
            process.StandardError?.Dispose();
            _entry.AttachInit(process);
        }
        _entry.Started = DateTime.UtcNow;
        _entry.SetState("running");
    }, cancellationToken);

    /// <inheritdoc/>
    public Task PauseAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        if (_entry.State != "running") throw new InvalidComputeSystemStateException(Id, _entry.State, "pause");
        await Map(() => _entry.System.PauseAsync(cancellationToken), "pause").ConfigureAwait(false);
        _entry.SetState("paused");
    }, cancellationToken);

    /// <inheritdoc/>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        if (_entry.State != "paused") throw new InvalidComputeSystemStateException(Id, _entry.State, "resume");
        await Map(() => _entry.System.ResumeAsync(cancellationToken), "resume").ConfigureAwait(false);
        _entry.SetState("running");
    }, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>HcsShutDownComputeSystem (the container's graceful shutdown, CtrlShutdown to its processes) given
    /// <paramref name="timeout"/>; when it fails or does not complete in time, HcsTerminateComputeSystem. A paused
    /// system is resumed first.</remarks>
    public Task ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => Locked(async () =>
    {
        if (_entry.State == "stopped") throw new ComputeSystemAlreadyStoppedException(Id);
        if (_entry.State == "paused")
        {
            await Map(() => _entry.System.ResumeAsync(cancellationToken), "resume").ConfigureAwait(false);
            _entry.SetState("running");
        }
        var graceful = false;
        if (_entry.State == "running")
        {
            try
            {
                await _entry.System.ShutDownAsync(timeout, cancellationToken).ConfigureAwait(false);
                graceful = await Exited(timeout).ConfigureAwait(false);
            }
            catch (HcsException e) when (HcsErrors.Normalize(e.HResult) == HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED)
            {
                graceful = true;
            }
            catch (HcsException) { /* timed out or refused: terminate */ }
        }
        if (!graceful) await TerminateCoreAsync(cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Reaches the init through HcsSignalProcess (<see cref="WindowsSignals"/>: console control events, or a
    /// terminate for SIGKILL).</remarks>
    public Task SignalAsync(int signal, CancellationToken cancellationToken = default) => Locked(async () =>
    {
        var options = WindowsSignals.OptionsFor(signal);
        if (_entry.Init is not { } init || _entry.State == "stopped" || init.Exited.IsCompleted)
            throw new InvalidComputeSystemStateException(Id, _entry.State == "created" ? "created (it has no init yet)" : "stopped", "signal");
        if (options is null) await Map(() => init.TerminateAsync(cancellationToken), "signal").ConfigureAwait(false);
        else await Map(() => init.SignalAsync(options, cancellationToken), "signal").ConfigureAwait(false);
    }, cancellationToken);

    /// <inheritdoc/>
    public Task TerminateAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        if (_entry.State == "stopped") throw new ComputeSystemAlreadyStoppedException(Id);
        await TerminateCoreAsync(cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    /// <inheritdoc/>
    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _entry.Exit.WaitAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>One HcsGetComputeSystemProperties for the process list and the statistics (ProcessList and Statistics,
    /// mapped by <see cref="HcsStatisticsMapping"/>); a stopped system has neither.</remarks>
    public async Task<ComputeSystemProperties> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDeleted();
        var processes = new List<int>();
        ComputeStatistics? statistics = null;
        if (_entry.State is "running" or "paused")
        {
            var document = await Map(() => _entry.System.GetPropertiesAsync("""{"PropertyTypes":["ProcessList","Statistics"]}""", cancellationToken),
                "read the properties of").ConfigureAwait(false);
            processes = ParseProcessList(document);
            statistics = HcsStatisticsMapping.From(document, processes.Count, _entry.MemoryLimitMB);
        }
        return new ComputeSystemProperties
        {
            Summary = _service.Summarize(_entry),
            Processes = processes,
            Statistics = statistics,
            Warnings = _entry.State is "running" or "paused" && statistics is null ? ["HCS returned no statistics for this system"] : null,
        };
    }

    /// <inheritdoc/>
    /// <remarks>Each group given becomes one HcsModifyComputeSystem with a ModifySettingRequest, as hcsshim's container
    /// update does: Memory → "Container/Memory/SizeInMB", Processor → "Container/Processor" (one of Count, Maximum or
    /// Weight, as at create). Refused (kind Unsupported, with the reason): the Linux part (cgroup limits) and StorageQoS
    /// (HCS takes the scratch disk's QoS at create only). Values are checked before anything is sent.</remarks>
    public Task UpdateResourcesAsync(ComputeResources resources, CancellationToken cancellationToken = default) => Locked(async () =>
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (resources.Linux is not null)
            throw new ComputeException(ErrorKind.Unsupported, "Linux: linux.resources are cgroup limits; a Windows container takes Processor and Memory", jsonPath: "Linux");
        if (resources.StorageQoS is not null)
            throw new ComputeException(ErrorKind.Unsupported, "StorageQoS: HCS sets a Windows container's storage QoS at create only", jsonPath: "StorageQoS");
        var requests = new List<Carton.Windows.Hcs.Schema.ModifySettingRequest>();
        if (resources.Memory is { } memory)
        {
            if (memory.SizeInMB == 0) throw new InvalidComputeDocumentException("Memory.SizeInMB", "must be at least 1 (MiB)");
            requests.Add(Carton.Windows.Hcs.Schema.ModifySettingRequest.UpdateMemory(memory.SizeInMB));
        }
        if (resources.Processor is { } cpu)
        {
            var given = (cpu.Count is not null ? 1 : 0) + (cpu.Maximum is not null ? 1 : 0) + (cpu.Weight is not null ? 1 : 0);
            if (given != 1) throw new InvalidComputeDocumentException("Processor", "give exactly one of Count, Maximum or Weight (HCS takes one CPU limit)");
            if (cpu.Count is 0) throw new InvalidComputeDocumentException("Processor.Count", "must be at least 1");
            if (cpu.Maximum is < 1 or > 10000) throw new InvalidComputeDocumentException("Processor.Maximum", "must be 1 to 10000 (hundredths of a percent of the host's CPU)");
            if (cpu.Weight is < 1 or > 10000) throw new InvalidComputeDocumentException("Processor.Weight", "must be 1 to 10000");
            requests.Add(Carton.Windows.Hcs.Schema.ModifySettingRequest.UpdateProcessor(new Carton.Windows.Hcs.Schema.Processor
            {
                Count = cpu.Count is { } c ? (int)c : null, Maximum = cpu.Maximum is { } m ? (int)m : null, Weight = cpu.Weight is { } w ? (int)w : null,
            }));
        }
        if (_entry.State == "stopped") throw new InvalidComputeSystemStateException(Id, "stopped", "update");
        foreach (var request in requests)
        {
            var document = JsonSerializer.Serialize(request, Carton.Windows.Hcs.Schema.HcsSchemaJsonContext.Default.ModifySettingRequest);
            await Map(() => _entry.System.ModifyAsync(document, cancellationToken), "update").ConfigureAwait(false);
            if (request.ResourcePath == Carton.Windows.Hcs.Schema.ContainerResourcePath.MemorySizeInMB) _entry.MemoryLimitMB = resources.Memory!.SizeInMB;
        }
    }, cancellationToken);

    /// <inheritdoc/>
    public async Task<IComputeProcess> CreateProcessAsync(ProcessParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ThrowIfDeleted();
        var document = HcsProcessParametersWriter.Write(parameters);
        if (_entry.State != "running") throw new InvalidComputeSystemStateException(Id, _entry.State, "create a process in");
        var process = await Map(() => _entry.System.CreateProcessAsync(document, cancellationToken), "create a process in").ConfigureAwait(false);
        return new WindowsComputeProcess(process, parameters.EmulateConsole);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ComputeSystemEvent> EventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDeleted();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var reader = _entry.Subscribe(linked.Token);
        try
        {
            while (true)
            {
                ComputeSystemEvent e;
                try
                {
                    if (!await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false)) yield break;
                    if (!reader.TryRead(out e!)) continue;
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                yield return e;
            }
        }
        finally
        {
            _entry.Unsubscribe(reader);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Terminates the system when it has not stopped, closes its HCS handles (which lets HCS remove it), and
    /// forgets it. The container's storage (scratch layer) belongs to whoever prepared the layers.</remarks>
    public Task DeleteAsync(CancellationToken cancellationToken = default) => Locked(async () =>
    {
        if (_entry.State != "stopped")
        {
            try { await TerminateCoreAsync(cancellationToken).ConfigureAwait(false); }
            catch (ComputeSystemAlreadyStoppedException) { }
        }
        try { await _entry.InitWatch.WaitAsync(KillGrace, CancellationToken.None).ConfigureAwait(false); }
        catch (TimeoutException) { /* the init never reported its exit: close anyway, HCS fails the stray operation */ }
        _entry.Init?.Dispose();
        _entry.System.Dispose();
        _service.Forget(_entry);
        _entry.MarkDeleted();
    }, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        return ValueTask.CompletedTask;
    }

    private async Task TerminateCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _entry.System.TerminateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HcsException e) when (HcsErrors.Normalize(e.HResult) == HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED) { }
        catch (HcsException e) { throw HcsErrorMapping.ToComputeException(e, Id, "terminate", _entry.State); }
        if (!await Exited(KillGrace).ConfigureAwait(false))
            throw new ComputeException("Failed", $"compute system \"{Id}\" had not exited {KillGrace.TotalSeconds:0} s after HcsTerminateComputeSystem");
    }

    private async Task<bool> Exited(TimeSpan timeout)
    {
        try
        {
            await _entry.Exit.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException) { return false; }
    }

    private async Task Locked(Func<Task> action, CancellationToken cancellationToken)
    {
        await _entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDeleted();
            await action().ConfigureAwait(false);
        }
        finally
        {
            _entry.Gate.Release();
        }
    }

    private void ThrowIfDeleted()
    {
        if (_entry.Deleted) throw new ComputeSystemNotFoundException(Id);
    }

    private Task Map(Func<Task> call, string operation) => HcsErrorMapping.MapAsync(call, Id, operation, _entry.State);

    private Task<T> Map<T>(Func<Task<T>> call, string operation) => HcsErrorMapping.MapAsync(call, Id, operation, _entry.State);

    /// <summary>The pids of HCS's Properties.ProcessList (schema "ProcessDetails"); none when the document has no list.</summary>
    internal static List<int> ParseProcessList(string? document)
    {
        var pids = new List<int>();
        if (string.IsNullOrWhiteSpace(document)) return pids;
        try
        {
            using var doc = JsonDocument.Parse(document);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("ProcessList", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var p in list.EnumerateArray())
                    if (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("ProcessId", out var id) && id.TryGetUInt32(out var pid))
                        pids.Add(unchecked((int)pid));
        }
        catch (JsonException) { }
        return pids;
    }
}
