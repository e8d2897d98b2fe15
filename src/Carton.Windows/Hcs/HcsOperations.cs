namespace Carton.Windows.Hcs;

/// <summary>
/// The life of one HCS operation, the way Microsoft's async model describes it
/// (https://learn.microsoft.com/virtualization/api/hcs/reference/operationcompletionsample): an operation is created
/// with a completion callback, the HCS function is called with it, the completion is awaited (with a timeout and the
/// caller's cancellation), the result and its document are read, and the operation is closed on every path.
/// </summary>
/// <remarks>On a timeout or a cancellation the operation is cancelled (HcsCancelOperation) before it is closed, so HCS
/// stops working on it; closing the operation ends its callbacks, and only then is the callback's context freed
/// (<see cref="HcsHandle"/>). hcsshim instead keeps waiting past its timeouts (internal/computecore, execute) because its
/// Go callers free buffers the call may still read; here every buffer the call reads is copied by the marshaller
/// before the call returns, and nothing the completion touches is freed before the close.</remarks>
public sealed class HcsOperations(IComputeCore core)
{
    /// <summary>The binding this runs over.</summary>
    public IComputeCore Core { get; } = core;

    /// <summary>Runs <paramref name="call"/> as an HCS operation and returns its result document (null when none).</summary>
    /// <param name="function">The HCS function's name, for errors ("HcsStartComputeSystem").</param>
    /// <param name="subject">What the call is about (a system id), for errors.</param>
    /// <param name="call">Calls the HCS function with the operation; returns its HRESULT.</param>
    /// <param name="timeout">How long to wait for completion.</param>
    /// <param name="cancellationToken">Stops waiting (the operation is cancelled).</param>
    /// <exception cref="HcsException">the call or the operation failed, or did not complete in time (HCS_E_OPERATION_TIMEOUT)</exception>
    public async Task<string?> RunAsync(string function, string? subject, Func<HcsOperationHandle, int> call,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var operation = await StartAndWaitAsync(function, subject, call, timeout, cancellationToken).ConfigureAwait(false);
        var hr = Core.GetOperationResult(operation, out var document);
        if (HcsErrors.Failed(hr)) throw new HcsException(hr, function, document, subject);
        return document;
    }

    /// <summary>As <see cref="RunAsync"/>, for HcsCreateProcess and HcsGetProcessInfo: also returns the process
    /// information, whose standard handles the caller then owns.</summary>
    /// <exception cref="HcsException">as <see cref="RunAsync"/></exception>
    public async Task<(HcsProcessInformation Info, string? Document)> RunWithProcessInfoAsync(string function, string? subject,
        Func<HcsOperationHandle, int> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var operation = await StartAndWaitAsync(function, subject, call, timeout, cancellationToken).ConfigureAwait(false);
        var hr = Core.GetOperationResultAndProcessInfo(operation, out var info, out var document);
        if (HcsErrors.Failed(hr))
        {
            info?.CloseHandles();
            throw new HcsException(hr, function, document, subject);
        }
        return (info, document);
    }

    /// <summary>Creates the operation, makes the call, waits for the completion. Returns the operation (the caller
    /// reads the result and closes it); closes it itself on every failure.</summary>
    private async Task<HcsOperationHandle> StartAndWaitAsync(string function, string? subject, Func<HcsOperationHandle, int> call,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // RunContinuationsAsynchronously: the completion runs on HCS's callback thread, which must not run our
        // continuation (the rest of a start, a whole container's setup) before returning to HCS.
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var operation = Core.CreateOperation(() => completed.TrySetResult());
        try
        {
            if (operation.IsInvalid) throw new HcsException(HcsErrors.E_OUTOFMEMORY, "HcsCreateOperation", subject: subject);
            var hr = call(operation);
            if (!HcsErrors.Started(hr)) throw new HcsException(hr, function, null, subject);
            try
            {
                await completed.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Core.CancelOperation(operation);
                throw HcsException.TimedOut(function, subject, timeout);
            }
            catch (OperationCanceledException)
            {
                Core.CancelOperation(operation);
                throw;
            }
            return operation;
        }
        catch
        {
            operation.Dispose();
            throw;
        }
    }
}
