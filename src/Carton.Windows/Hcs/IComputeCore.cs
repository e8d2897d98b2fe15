using Microsoft.Win32.SafeHandles;

namespace Carton.Windows.Hcs;

/// <summary>
/// The seam between Carton and computecore.dll: one method per HCS function Carton uses, in managed types, and nothing
/// else. Each returns the function's HRESULT (callers check it; nothing here throws for an HCS failure), strings are
/// managed, handles are <see cref="HcsHandle"/>s that close themselves. <see cref="ComputeCore"/> is the real one;
/// tests use a recording fake. The logic (operation lifecycle, timeouts, result parsing, event dispatch) is above it,
/// in <see cref="HcsOperations"/>, <see cref="HcsComputeService"/>, <see cref="HcsComputeSystem"/> and
/// <see cref="HcsComputeProcess"/>, so the fake-backed tests exercise it.
/// </summary>
/// <remarks>Asynchronous calls take an operation created by <see cref="CreateOperation"/>; HCS invokes its completion
/// callback, on a thread of its own, when the call has finished, and <see cref="GetOperationResult"/> then reads the
/// outcome. Event callbacks are invoked on HCS's threads too.</remarks>
public interface IComputeCore
{
    /// <summary>HcsCreateOperation with a completion callback. Invalid (IsInvalid) when HCS could not allocate it.</summary>
    HcsOperationHandle CreateOperation(Action completed);
    /// <summary>HcsCancelOperation.</summary>
    int CancelOperation(HcsOperationHandle operation);
    /// <summary>HcsGetOperationResult: the operation's HRESULT and its result document (null when none).</summary>
    int GetOperationResult(HcsOperationHandle operation, out string? resultDocument);
    /// <summary>HcsGetOperationResultAndProcessInfo, for HcsCreateProcess and HcsGetProcessInfo. On success the caller
    /// owns the process's standard handles.</summary>
    int GetOperationResultAndProcessInfo(HcsOperationHandle operation, out HcsProcessInformation processInformation, out string? resultDocument);

    /// <summary>HcsCreateComputeSystem (no security descriptor).</summary>
    int CreateComputeSystem(string id, string configuration, HcsOperationHandle operation, out HcsSystemHandle computeSystem);
    /// <summary>HcsOpenComputeSystem with GENERIC_ALL access.</summary>
    int OpenComputeSystem(string id, out HcsSystemHandle computeSystem);
    /// <summary>HcsEnumerateComputeSystems; the result document is the JSON array of systems.</summary>
    int EnumerateComputeSystems(string? query, HcsOperationHandle operation);
    /// <summary>HcsStartComputeSystem.</summary>
    int StartComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);
    /// <summary>HcsShutDownComputeSystem.</summary>
    int ShutDownComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);
    /// <summary>HcsTerminateComputeSystem.</summary>
    int TerminateComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);
    /// <summary>HcsPauseComputeSystem.</summary>
    int PauseComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);
    /// <summary>HcsResumeComputeSystem.</summary>
    int ResumeComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);
    /// <summary>HcsGetComputeSystemProperties; the result document is the Properties JSON.</summary>
    int GetComputeSystemProperties(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? propertyQuery);
    /// <summary>HcsModifyComputeSystem (no identity token).</summary>
    int ModifyComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string configuration);
    /// <summary>HcsSetComputeSystemCallback (HcsEventOptionNone): <paramref name="callback"/> gets the system's events
    /// until the handle is closed.</summary>
    int SetComputeSystemCallback(HcsSystemHandle computeSystem, Action<HcsEvent> callback);

    /// <summary>HcsCreateProcess (no security descriptor).</summary>
    int CreateProcess(HcsSystemHandle computeSystem, string processParameters, HcsOperationHandle operation, out HcsProcessHandle process);
    /// <summary>HcsGetProcessInfo; read the outcome with <see cref="GetOperationResultAndProcessInfo"/>.</summary>
    int GetProcessInfo(HcsProcessHandle process, HcsOperationHandle operation);
    /// <summary>HcsSignalProcess; options is a SignalProcessOptions document.</summary>
    int SignalProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options);
    /// <summary>HcsTerminateProcess.</summary>
    int TerminateProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options);
    /// <summary>HcsGetProcessProperties; the result document is a ProcessStatus.</summary>
    int GetProcessProperties(HcsProcessHandle process, HcsOperationHandle operation, string? propertyQuery);
    /// <summary>HcsModifyProcess; settings is a ProcessModifyRequest (console size, close a handle).</summary>
    int ModifyProcess(HcsProcessHandle process, HcsOperationHandle operation, string settings);
    /// <summary>HcsSetProcessCallback (HcsEventOptionNone): <paramref name="callback"/> gets the process's events
    /// until the handle is closed.</summary>
    int SetProcessCallback(HcsProcessHandle process, Action<HcsEvent> callback);
}

/// <summary>HCS_PROCESS_INFORMATION in managed form: the pid and the process's standard handles (null when the
/// process parameters asked for none), owned by whoever receives them.</summary>
/// <param name="ProcessId">The process id.</param>
/// <param name="StdInput">The write end of the process's stdin.</param>
/// <param name="StdOutput">The read end of its stdout.</param>
/// <param name="StdError">The read end of its stderr.</param>
public sealed record HcsProcessInformation(uint ProcessId, SafeFileHandle? StdInput, SafeFileHandle? StdOutput, SafeFileHandle? StdError)
{
    /// <summary>Closes every standard handle (the path where the process is abandoned).</summary>
    public void CloseHandles()
    {
        StdInput?.Dispose();
        StdOutput?.Dispose();
        StdError?.Dispose();
    }
}
