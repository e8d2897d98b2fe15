using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Carton.Windows.Hcs;

/// <summary>
/// The real <see cref="IComputeCore"/>: each method is one computecore.dll call (<see cref="ComputeCoreNative"/>).
/// Its only logic is what the native boundary needs: result strings copied and freed with LocalFree, and managed
/// callbacks reached through [UnmanagedCallersOnly] functions whose context is a GCHandle owned by the handle the
/// callback belongs to (freed after that handle is closed; see <see cref="HcsHandle"/>). No reflection, no delegates
/// marshalled to native code: NativeAOT-safe.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed unsafe class ComputeCore : IComputeCore
{
    /// <inheritdoc/>
    public HcsOperationHandle CreateOperation(Action completed)
    {
        var context = GCHandle.Alloc(completed);
        var operation = ComputeCoreNative.HcsCreateOperation(GCHandle.ToIntPtr(context), &OnOperationCompleted);
        operation.AttachCallbackContext(context);
        operation.FreeCallbackContextIfInvalid();
        return operation;
    }

    /// <inheritdoc/>
    public int CancelOperation(HcsOperationHandle operation) => ComputeCoreNative.HcsCancelOperation(operation);

    /// <inheritdoc/>
    public int GetOperationResult(HcsOperationHandle operation, out string? resultDocument)
    {
        var hr = ComputeCoreNative.HcsGetOperationResult(operation, out var document);
        resultDocument = TakeString(document);
        return hr;
    }

    /// <inheritdoc/>
    public int GetOperationResultAndProcessInfo(HcsOperationHandle operation, out HcsProcessInformation processInformation, out string? resultDocument)
    {
        var hr = ComputeCoreNative.HcsGetOperationResultAndProcessInfo(operation, out var info, out var document);
        resultDocument = TakeString(document);
        processInformation = new HcsProcessInformation(info.ProcessId, Own(info.StdInput), Own(info.StdOutput), Own(info.StdError));
        return hr;
    }

    /// <inheritdoc/>
    public int CreateComputeSystem(string id, string configuration, HcsOperationHandle operation, out HcsSystemHandle computeSystem) =>
        ComputeCoreNative.HcsCreateComputeSystem(id, configuration, operation, 0, out computeSystem);

    /// <inheritdoc/>
    public int OpenComputeSystem(string id, out HcsSystemHandle computeSystem) =>
        ComputeCoreNative.HcsOpenComputeSystem(id, ComputeCoreNative.GenericAll, out computeSystem);

    /// <inheritdoc/>
    public int EnumerateComputeSystems(string? query, HcsOperationHandle operation) => ComputeCoreNative.HcsEnumerateComputeSystems(query, operation);

    /// <inheritdoc/>
    public int StartComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        ComputeCoreNative.HcsStartComputeSystem(computeSystem, operation, options);

    /// <inheritdoc/>
    public int ShutDownComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        ComputeCoreNative.HcsShutDownComputeSystem(computeSystem, operation, options);

    /// <inheritdoc/>
    public int TerminateComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        ComputeCoreNative.HcsTerminateComputeSystem(computeSystem, operation, options);

    /// <inheritdoc/>
    public int PauseComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        ComputeCoreNative.HcsPauseComputeSystem(computeSystem, operation, options);

    /// <inheritdoc/>
    public int ResumeComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        ComputeCoreNative.HcsResumeComputeSystem(computeSystem, operation, options);

    /// <inheritdoc/>
    public int GetComputeSystemProperties(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? propertyQuery) =>
        ComputeCoreNative.HcsGetComputeSystemProperties(computeSystem, operation, propertyQuery);

    /// <inheritdoc/>
    public int ModifyComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string configuration) =>
        ComputeCoreNative.HcsModifyComputeSystem(computeSystem, operation, configuration, 0);

    /// <inheritdoc/>
    public int SetComputeSystemCallback(HcsSystemHandle computeSystem, Action<HcsEvent> callback)
    {
        var context = GCHandle.Alloc(callback);
        var hr = ComputeCoreNative.HcsSetComputeSystemCallback(computeSystem, 0, GCHandle.ToIntPtr(context), &OnEvent);
        if (HcsErrors.Failed(hr)) context.Free();
        else computeSystem.AttachCallbackContext(context);
        return hr;
    }

    /// <inheritdoc/>
    public int CreateProcess(HcsSystemHandle computeSystem, string processParameters, HcsOperationHandle operation, out HcsProcessHandle process) =>
        ComputeCoreNative.HcsCreateProcess(computeSystem, processParameters, operation, 0, out process);

    /// <inheritdoc/>
    public int GetProcessInfo(HcsProcessHandle process, HcsOperationHandle operation) => ComputeCoreNative.HcsGetProcessInfo(process, operation);

    /// <inheritdoc/>
    public int SignalProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options) =>
        ComputeCoreNative.HcsSignalProcess(process, operation, options);

    /// <inheritdoc/>
    public int TerminateProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options) =>
        ComputeCoreNative.HcsTerminateProcess(process, operation, options);

    /// <inheritdoc/>
    public int GetProcessProperties(HcsProcessHandle process, HcsOperationHandle operation, string? propertyQuery) =>
        ComputeCoreNative.HcsGetProcessProperties(process, operation, propertyQuery);

    /// <inheritdoc/>
    public int ModifyProcess(HcsProcessHandle process, HcsOperationHandle operation, string settings) =>
        ComputeCoreNative.HcsModifyProcess(process, operation, settings);

    /// <inheritdoc/>
    public int SetProcessCallback(HcsProcessHandle process, Action<HcsEvent> callback)
    {
        var context = GCHandle.Alloc(callback);
        var hr = ComputeCoreNative.HcsSetProcessCallback(process, 0, GCHandle.ToIntPtr(context), &OnEvent);
        if (HcsErrors.Failed(hr)) context.Free();
        else process.AttachCallbackContext(context);
        return hr;
    }

    /// <summary>HCS_OPERATION_COMPLETION: runs the operation's managed completion. An exception must not cross into
    /// HCS's thread, and the completion only sets a task, so one here is a bug swallowed rather than a crash of the service.</summary>
    [UnmanagedCallersOnly]
    private static void OnOperationCompleted(nint operation, nint context)
    {
        try { (GCHandle.FromIntPtr(context).Target as Action)?.Invoke(); }
        catch (Exception) { /* see summary */ }
    }

    /// <summary>HCS_EVENT_CALLBACK: copies the event out (its data lives only for the call) and hands it on.</summary>
    [UnmanagedCallersOnly]
    private static void OnEvent(ComputeCoreNative.HcsEventNative* e, nint context)
    {
        try
        {
            var managed = new HcsEvent((HcsEventType)e->Type, e->EventData is null ? null : new string(e->EventData));
            (GCHandle.FromIntPtr(context).Target as Action<HcsEvent>)?.Invoke(managed);
        }
        catch (Exception) { /* as in OnOperationCompleted */ }
    }

    /// <summary>Copies a PWSTR HCS allocated and frees it with LocalFree (the HcsGetOperationResult page).</summary>
    private static string? TakeString(nint value)
    {
        if (value == 0) return null;
        try { return Marshal.PtrToStringUni(value); }
        finally { ComputeCoreNative.LocalFree(value); }
    }

    private static SafeFileHandle? Own(nint value) => value == 0 ? null : new SafeFileHandle(value, ownsHandle: true);
}
