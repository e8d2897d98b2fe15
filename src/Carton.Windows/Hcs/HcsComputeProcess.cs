using Microsoft.Win32.SafeHandles;

namespace Carton.Windows.Hcs;

/// <summary>
/// One process in an HCS compute system: its pid and standard handles, its operations as awaitable calls, its exit
/// as a task. Disposing it closes the process handle (HcsCloseProcess: the process keeps running) and the standard
/// handles still held here.
/// </summary>
public sealed class HcsComputeProcess : IDisposable
{
    private readonly HcsOperations _operations;
    private readonly HcsTimeouts _timeouts;
    private readonly HcsProcessHandle _handle;
    private readonly TaskCompletionSource<HcsProcessStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HcsComputeProcess(HcsOperations operations, HcsTimeouts timeouts, string systemId, HcsProcessHandle handle, HcsProcessInformation info)
    {
        _operations = operations;
        _timeouts = timeouts;
        SystemId = systemId;
        _handle = handle;
        ProcessId = info.ProcessId;
        StandardInput = info.StdInput;
        StandardOutput = info.StdOutput;
        StandardError = info.StdError;
    }

    /// <summary>The id of the system the process runs in.</summary>
    public string SystemId { get; }
    /// <summary>The process id (in the system's view).</summary>
    public uint ProcessId { get; }
    /// <summary>The write end of its stdin, when the parameters asked for one.</summary>
    public SafeFileHandle? StandardInput { get; }
    /// <summary>The read end of its stdout, when asked for.</summary>
    public SafeFileHandle? StandardOutput { get; }
    /// <summary>The read end of its stderr, when asked for.</summary>
    public SafeFileHandle? StandardError { get; }

    /// <summary>Every event HCS sends for this process, on HCS's callback thread.</summary>
    public event Action<HcsComputeProcess, HcsEvent>? EventReceived;

    /// <summary>Completes with the process's status when it exits; faults (HCS_E_SERVICE_DISCONNECT) when the connection
    /// to HCS is lost first.</summary>
    public Task<HcsProcessStatus> Exited => _exited.Task;

    internal static async Task<HcsComputeProcess> CreateAsync(HcsOperations operations, HcsTimeouts timeouts, HcsComputeSystem system,
        string processParameters, CancellationToken cancellationToken)
    {
        HcsProcessHandle? handle = null;
        HcsProcessInformation? info = null;
        HcsComputeProcess? process = null;
        try
        {
            (info, _) = await operations.RunWithProcessInfoAsync("HcsCreateProcess", system.Id, operation =>
            {
                var hr = operations.Core.CreateProcess(system.Handle, processParameters, operation, out var created);
                handle = created;
                return hr;
            }, timeouts.Other, cancellationToken).ConfigureAwait(false);
            if (handle is null || handle.IsInvalid) throw new HcsException(HcsErrors.E_HANDLE, "HcsCreateProcess", subject: system.Id);
            process = new HcsComputeProcess(operations, timeouts, system.Id, handle, info);
            var hr = operations.Core.SetProcessCallback(handle, process.OnEvent);
            if (HcsErrors.Failed(hr)) throw new HcsException(hr, "HcsSetProcessCallback", subject: system.Id);
            // A process that exited before its callback was registered sends no event: ask once.
            if (!process._exited.Task.IsCompleted)
            {
                var status = HcsResultDocument.ParseProcessStatus(await process.GetPropertiesAsync(null, cancellationToken).ConfigureAwait(false));
                if (status is { Exited: true }) process._exited.TrySetResult(status);
            }
            return process;
        }
        catch
        {
            info?.CloseHandles();
            handle?.Dispose();
            throw;
        }
    }

    /// <summary>HcsSignalProcess with a SignalProcessOptions document ({"Signal": n} for a Linux guest,
    /// {"Signal":"CtrlC"}... for Windows).</summary>
    /// <exception cref="HcsException">the signal failed (HCS_E_PROCESS_ALREADY_STOPPED, ...)</exception>
    public Task SignalAsync(string? options, CancellationToken cancellationToken = default) =>
        Run("HcsSignalProcess", (h, op) => _operations.Core.SignalProcess(h, op, options), cancellationToken);

    /// <summary>HcsTerminateProcess.</summary>
    /// <exception cref="HcsException">the terminate failed</exception>
    public Task TerminateAsync(CancellationToken cancellationToken = default) =>
        Run("HcsTerminateProcess", (h, op) => _operations.Core.TerminateProcess(h, op, null), cancellationToken);

    /// <summary>HcsGetProcessProperties: the ProcessStatus document.</summary>
    /// <exception cref="HcsException">the query failed</exception>
    public Task<string?> GetPropertiesAsync(string? propertyQuery = null, CancellationToken cancellationToken = default) =>
        Run("HcsGetProcessProperties", (h, op) => _operations.Core.GetProcessProperties(h, op, propertyQuery), cancellationToken);

    /// <summary>HcsModifyProcess with a ProcessModifyRequest document (console size, close stdin).</summary>
    /// <exception cref="HcsException">the modification failed</exception>
    public Task ModifyAsync(string settings, CancellationToken cancellationToken = default) =>
        Run("HcsModifyProcess", (h, op) => _operations.Core.ModifyProcess(h, op, settings), cancellationToken);

    /// <summary>HcsGetProcessInfo: the pid and fresh standard handles, which the caller owns.</summary>
    /// <exception cref="HcsException">the query failed</exception>
    public async Task<HcsProcessInformation> GetProcessInfoAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var (info, _) = await _operations.RunWithProcessInfoAsync("HcsGetProcessInfo", SystemId,
            operation => _operations.Core.GetProcessInfo(_handle, operation), _timeouts.Other, cancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <summary>Closes the process handle and the standard handles held here; the process keeps running.</summary>
    public void Dispose()
    {
        StandardInput?.Dispose();
        StandardOutput?.Dispose();
        StandardError?.Dispose();
        _handle.Dispose();
    }

    private async Task<string?> Run(string function, Func<HcsProcessHandle, HcsOperationHandle, int> call, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return await _operations.RunAsync(function, SystemId, operation => call(_handle, operation), _timeouts.Other, cancellationToken).ConfigureAwait(false);
    }

    private void OnEvent(HcsEvent e)
    {
        switch (HcsEventMapping.Map(e.Type))
        {
            case HcsNotification.ProcessExited:
                _exited.TrySetResult(HcsResultDocument.ParseProcessStatus(e.EventData) ?? new HcsProcessStatus { ProcessId = ProcessId, Exited = true });
                break;
            case HcsNotification.ServiceDisconnected:
                _exited.TrySetException(new HcsException(HcsErrors.HCS_E_SERVICE_DISCONNECT, "HcsEventServiceDisconnect", subject: SystemId));
                break;
        }
        EventReceived?.Invoke(this, e);
    }
}
