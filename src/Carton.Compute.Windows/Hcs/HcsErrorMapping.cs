using Carton.Compute;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows;

/// <summary>
/// HCS's HRESULTs as the compute contract's typed errors (Carton.Compute's ComputeExceptions), so a caller of the
/// Windows backend sees the same exceptions as a caller of the Linux one: a missing system is
/// <see cref="ComputeSystemNotFoundException"/>, a taken id <see cref="ComputeSystemAlreadyExistsException"/>, and so
/// on. The NTSTATUS-shaped twins hcsshim also checks for (internal/hcs/errors.go) map like the documented codes.
/// Anything else keeps <see cref="HcsErrors.KindOf"/>'s kind, with the HRESULT's name and HCS's message in the text.
/// </summary>
public static class HcsErrorMapping
{
    /// <summary>The compute error for a failed HCS call on compute system <paramref name="id"/>.</summary>
    /// <param name="error">The HCS failure.</param>
    /// <param name="id">The compute system id the call was about.</param>
    /// <param name="operation">What was refused, in the contract's words ("start", "pause", "create a process in").</param>
    /// <param name="state">The system's state when known (for HCS_E_INVALID_STATE's message).</param>
    public static ComputeException ToComputeException(HcsException error, string id, string operation, string? state = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return HcsErrors.Normalize(error.HResult) switch
        {
            HcsErrors.HCS_E_SYSTEM_NOT_FOUND => new ComputeSystemNotFoundException(id),
            HcsErrors.HCS_E_SYSTEM_ALREADY_EXISTS => new ComputeSystemAlreadyExistsException(id),
            HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED => new ComputeSystemAlreadyStoppedException(id),
            HcsErrors.HCS_E_INVALID_STATE => new InvalidComputeSystemStateException(id,
                state ?? $"in a state that does not allow it ({error.HResultName}{Detail(error)})", operation),
            HcsErrors.HCS_E_INVALID_JSON or HcsErrors.ERROR_INVALID_DATA_HR or HcsErrors.E_INVALIDARG =>
                // HCS names no field; "$" is the contract's path for the document as a whole.
                new InvalidComputeDocumentException("$", $"HCS rejected the document for {operation} with {error.HResultName}{Detail(error)}"),
            HcsErrors.HCS_E_PROCESS_ALREADY_STOPPED => new ComputeException(ErrorKind.InvalidState,
                $"cannot {operation} compute system \"{id}\": the process has already stopped ({error.HResultName})", error, code: "AlreadyStopped"),
            _ => new ComputeException(HcsErrors.KindOf(error.HResult), $"cannot {operation} compute system \"{id}\": {error.Message}", error,
                code: HcsErrors.KindOf(error.HResult) == ErrorKind.Internal ? "Failed" : null),
        };
    }

    /// <summary>Runs <paramref name="call"/>, turning an <see cref="HcsException"/> into the compute error.</summary>
    /// <exception cref="ComputeException">the HCS call failed</exception>
    public static async Task<T> MapAsync<T>(Func<Task<T>> call, string id, string operation, string? state = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        try { return await call().ConfigureAwait(false); }
        catch (HcsException e) { throw ToComputeException(e, id, operation, state); }
    }

    /// <summary>Runs <paramref name="call"/>, turning an <see cref="HcsException"/> into the compute error.</summary>
    /// <exception cref="ComputeException">the HCS call failed</exception>
    public static async Task MapAsync(Func<Task> call, string id, string operation, string? state = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        try { await call().ConfigureAwait(false); }
        catch (HcsException e) { throw ToComputeException(e, id, operation, state); }
    }

    private static string Detail(HcsException error) => error.HcsMessage is null ? "" : $": {error.HcsMessage}";
}
