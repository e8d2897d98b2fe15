namespace Carton.Windows.Hcs;

/// <summary>
/// One HCS compute system, open: its operations as awaitable calls and its events as managed events. Disposing it
/// closes the handle (HcsCloseComputeSystem: the system lives on, its callbacks stop).
/// </summary>
public sealed class HcsComputeSystem : IDisposable
{
    private readonly HcsOperations _operations;
    private readonly HcsTimeouts _timeouts;
    private readonly HcsSystemHandle _handle;
    private readonly TaskCompletionSource<HcsSystemExitStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HcsComputeSystem(HcsOperations operations, HcsTimeouts timeouts, string id, HcsSystemHandle handle)
    {
        _operations = operations;
        _timeouts = timeouts;
        Id = id;
        _handle = handle;
    }

    /// <summary>Wraps an open handle and registers its event callback; the caller keeps ownership of
    /// <paramref name="handle"/> if this throws.</summary>
    /// <exception cref="HcsException">HcsSetComputeSystemCallback failed</exception>
    internal static HcsComputeSystem Attach(HcsOperations operations, HcsTimeouts timeouts, string id, HcsSystemHandle handle)
    {
        var system = new HcsComputeSystem(operations, timeouts, id, handle);
        var hr = operations.Core.SetComputeSystemCallback(handle, system.OnEvent);
        if (HcsErrors.Failed(hr)) throw new HcsException(hr, "HcsSetComputeSystemCallback", subject: id);
        return system;
    }

    /// <summary>The compute system id.</summary>
    public string Id { get; }

    /// <summary>The handle, for creating processes.</summary>
    internal HcsSystemHandle Handle => _handle;

    /// <summary>Every event HCS sends for this system, in order, on HCS's callback thread (keep handlers short).</summary>
    public event Action<HcsComputeSystem, HcsEvent>? EventReceived;

    /// <summary>Completes when the system exits (HcsEventSystemExited) with its exit status; faults with an
    /// <see cref="HcsException"/> (HCS_E_SERVICE_DISCONNECT) when the connection to HCS is lost first, since no exit
    /// will be reported then.</summary>
    public Task<HcsSystemExitStatus> Exited => _exited.Task;

    /// <summary>Whether HCS has reported a crash (HcsEventSystemCrashInitiated or CrashReport).</summary>
    public bool Crashed { get; private set; }

    /// <summary>HcsStartComputeSystem.</summary>
    /// <exception cref="HcsException">the start failed or timed out</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        Run("HcsStartComputeSystem", (h, op) => _operations.Core.StartComputeSystem(h, op, null), _timeouts.Start, cancellationToken);

    /// <summary>HcsShutDownComputeSystem: asks the system to shut down cleanly, waiting at most <paramref name="timeout"/>
    /// for HCS to complete the request (then HCS_E_OPERATION_TIMEOUT; the caller decides whether to terminate).</summary>
    /// <exception cref="HcsException">the shutdown failed (HCS_E_SYSTEM_ALREADY_STOPPED, ...) or timed out</exception>
    public Task ShutDownAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Run("HcsShutDownComputeSystem", (h, op) => _operations.Core.ShutDownComputeSystem(h, op, null), timeout, cancellationToken);

    /// <summary>HcsTerminateComputeSystem: stops the system forcibly.</summary>
    /// <exception cref="HcsException">the terminate failed</exception>
    public Task TerminateAsync(CancellationToken cancellationToken = default) =>
        Run("HcsTerminateComputeSystem", (h, op) => _operations.Core.TerminateComputeSystem(h, op, null), _timeouts.Other, cancellationToken);

    /// <summary>HcsPauseComputeSystem.</summary>
    /// <exception cref="HcsException">the pause failed</exception>
    public Task PauseAsync(CancellationToken cancellationToken = default) =>
        Run("HcsPauseComputeSystem", (h, op) => _operations.Core.PauseComputeSystem(h, op, null), _timeouts.Other, cancellationToken);

    /// <summary>HcsResumeComputeSystem.</summary>
    /// <exception cref="HcsException">the resume failed</exception>
    public Task ResumeAsync(CancellationToken cancellationToken = default) =>
        Run("HcsResumeComputeSystem", (h, op) => _operations.Core.ResumeComputeSystem(h, op, null), _timeouts.Other, cancellationToken);

    /// <summary>HcsGetComputeSystemProperties: the Properties document for <paramref name="propertyQuery"/> (a
    /// System_PropertyQuery document; HCS's default set when null).</summary>
    /// <exception cref="HcsException">the query failed</exception>
    public Task<string?> GetPropertiesAsync(string? propertyQuery = null, CancellationToken cancellationToken = default) =>
        Run("HcsGetComputeSystemProperties", (h, op) => _operations.Core.GetComputeSystemProperties(h, op, propertyQuery), _timeouts.Other, cancellationToken);

    /// <summary>HcsModifyComputeSystem with a ModifySettingRequest document.</summary>
    /// <exception cref="HcsException">the modification failed</exception>
    public Task ModifyAsync(string configuration, CancellationToken cancellationToken = default) =>
        Run("HcsModifyComputeSystem", (h, op) => _operations.Core.ModifyComputeSystem(h, op, configuration), _timeouts.Other, cancellationToken);

    /// <summary>HcsCreateProcess with a ProcessParameters document. The process comes back with its event callback
    /// registered and its exit checked once after that (an exit before the registration would otherwise be lost).
    /// On any failure the process handle and its standard handles are closed.</summary>
    /// <exception cref="HcsException">the create failed</exception>
    public Task<HcsComputeProcess> CreateProcessAsync(string processParameters, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return HcsComputeProcess.CreateAsync(_operations, _timeouts, this, processParameters, cancellationToken);
    }

    /// <summary>Closes the handle (HcsCloseComputeSystem); the system keeps running. A pending <see cref="Exited"/> is
    /// left pending: this handle will hear no more.</summary>
    public void Dispose() => _handle.Dispose();

    private async Task<string?> Run(string function, Func<HcsSystemHandle, HcsOperationHandle, int> call, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return await _operations.RunAsync(function, Id, operation => call(_handle, operation), timeout, cancellationToken).ConfigureAwait(false);
    }

    private void OnEvent(HcsEvent e)
    {
        switch (HcsEventMapping.Map(e.Type))
        {
            case HcsNotification.SystemExited:
                _exited.TrySetResult(HcsResultDocument.ParseSystemExit(e.EventData) ?? new HcsSystemExitStatus());
                break;
            case HcsNotification.SystemCrashed:
                Crashed = true;
                break;
            case HcsNotification.ServiceDisconnected:
                _exited.TrySetException(new HcsException(HcsErrors.HCS_E_SERVICE_DISCONNECT, "HcsEventServiceDisconnect", subject: Id));
                break;
        }
        EventReceived?.Invoke(this, e);
    }
}
