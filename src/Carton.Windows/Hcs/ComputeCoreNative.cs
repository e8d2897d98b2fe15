using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Carton.Windows.Hcs;

/// <summary>
/// computecore.dll, declared exactly as Microsoft documents it (https://learn.microsoft.com/virtualization/api/hcs/reference/apioverview,
/// one page per function under .../hcs/reference/&lt;name&gt;, header ComputeCore.h). Every function returns an HRESULT
/// except HcsCreateOperation (the handle, NULL on failure) and the three close functions (void). Strings in are PCWSTR
/// (UTF-16); strings out are PWSTR the caller frees with LocalFree. Used only by <see cref="ComputeCore"/>.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class ComputeCoreNative
{
    private const string Lib = "computecore.dll";

    /// <summary>HcsOpenComputeSystem's requestedAccess: GENERIC_ALL (winnt.h), as hcsshim opens systems.</summary>
    internal const uint GenericAll = 0x10000000;

    /// <summary>HCS_PROCESS_INFORMATION (https://learn.microsoft.com/virtualization/api/hcs/reference/hcs_process_information):
    /// the pid and the process's standard handles, which the caller owns and must close.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct HcsProcessInformationNative
    {
        public uint ProcessId;
        public uint Reserved;
        public nint StdInput;
        public nint StdOutput;
        public nint StdError;
    }

    /// <summary>HCS_EVENT (https://learn.microsoft.com/virtualization/api/hcs/reference/hcs_event).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct HcsEventNative
    {
        public uint Type;
        public char* EventData;
        public nint Operation;
    }

    // --- Operations ---------------------------------------------------------------------------------------------

    /// <summary>HCS_OPERATION HcsCreateOperation(void* context, HCS_OPERATION_COMPLETION callback).</summary>
    [LibraryImport(Lib)]
    internal static partial HcsOperationHandle HcsCreateOperation(nint context, delegate* unmanaged<nint, nint, void> callback);

    /// <summary>void HcsCloseOperation(HCS_OPERATION operation).</summary>
    [LibraryImport(Lib)]
    internal static partial void HcsCloseOperation(nint operation);

    /// <summary>HRESULT HcsSetOperationCallback(HCS_OPERATION operation, const void* context, HCS_OPERATION_COMPLETION callback).
    /// Not used: <see cref="ComputeCore"/> gives the callback to HcsCreateOperation, so no window exists in which an
    /// operation has none.</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsSetOperationCallback(HcsOperationHandle operation, nint context, delegate* unmanaged<nint, nint, void> callback);

    /// <summary>HRESULT HcsCancelOperation(HCS_OPERATION operation).</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsCancelOperation(HcsOperationHandle operation);

    /// <summary>HRESULT HcsGetOperationResult(HCS_OPERATION operation, PWSTR* resultDocument).</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsGetOperationResult(HcsOperationHandle operation, out nint resultDocument);

    /// <summary>HRESULT HcsGetOperationResultAndProcessInfo(HCS_OPERATION, HCS_PROCESS_INFORMATION*, PWSTR* resultDocument).</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsGetOperationResultAndProcessInfo(HcsOperationHandle operation, out HcsProcessInformationNative processInformation, out nint resultDocument);

    /// <summary>HRESULT HcsWaitForOperationResult(HCS_OPERATION operation, DWORD timeoutMs, PWSTR* resultDocument).
    /// Not used: waiting blocks a thread; <see cref="ComputeCore"/> completes operations through their callback.</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsWaitForOperationResult(HcsOperationHandle operation, uint timeoutMs, out nint resultDocument);

    /// <summary>HRESULT HcsWaitForOperationResultAndProcessInfo(HCS_OPERATION, DWORD timeoutMs, HCS_PROCESS_INFORMATION*, PWSTR*). Not used (see <see cref="HcsWaitForOperationResult"/>).</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsWaitForOperationResultAndProcessInfo(HcsOperationHandle operation, uint timeoutMs, out HcsProcessInformationNative processInformation, out nint resultDocument);

    // --- Compute systems ----------------------------------------------------------------------------------------

    /// <summary>HRESULT HcsCreateComputeSystem(PCWSTR id, PCWSTR configuration, HCS_OPERATION operation,
    /// const SECURITY_DESCRIPTOR* securityDescriptor, HCS_SYSTEM* computeSystem).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsCreateComputeSystem(string id, string configuration, HcsOperationHandle operation, nint securityDescriptor, out HcsSystemHandle computeSystem);

    /// <summary>HRESULT HcsOpenComputeSystem(PCWSTR id, DWORD requestedAccess, HCS_SYSTEM* computeSystem).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsOpenComputeSystem(string id, uint requestedAccess, out HcsSystemHandle computeSystem);

    /// <summary>void HcsCloseComputeSystem(HCS_SYSTEM computeSystem).</summary>
    [LibraryImport(Lib)]
    internal static partial void HcsCloseComputeSystem(nint computeSystem);

    /// <summary>HRESULT HcsEnumerateComputeSystems(PCWSTR query, HCS_OPERATION operation).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsEnumerateComputeSystems(string? query, HcsOperationHandle operation);

    /// <summary>HRESULT HcsStartComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsStartComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);

    /// <summary>HRESULT HcsShutDownComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsShutDownComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);

    /// <summary>HRESULT HcsTerminateComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsTerminateComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);

    /// <summary>HRESULT HcsPauseComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsPauseComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);

    /// <summary>HRESULT HcsResumeComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsResumeComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options);

    /// <summary>HRESULT HcsGetComputeSystemProperties(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR propertyQuery).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsGetComputeSystemProperties(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? propertyQuery);

    /// <summary>HRESULT HcsModifyComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR configuration, HANDLE identity).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsModifyComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string configuration, nint identity);

    /// <summary>HRESULT HcsSetComputeSystemCallback(HCS_SYSTEM computeSystem, HCS_EVENT_OPTIONS callbackOptions,
    /// const void* context, HCS_EVENT_CALLBACK callback).</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsSetComputeSystemCallback(HcsSystemHandle computeSystem, uint callbackOptions, nint context, delegate* unmanaged<HcsEventNative*, nint, void> callback);

    // --- Processes ----------------------------------------------------------------------------------------------

    /// <summary>HRESULT HcsCreateProcess(HCS_SYSTEM computeSystem, PCWSTR processParameters, HCS_OPERATION operation,
    /// const SECURITY_DESCRIPTOR* securityDescriptor, HCS_PROCESS* process).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsCreateProcess(HcsSystemHandle computeSystem, string processParameters, HcsOperationHandle operation, nint securityDescriptor, out HcsProcessHandle process);

    /// <summary>void HcsCloseProcess(HCS_PROCESS process).</summary>
    [LibraryImport(Lib)]
    internal static partial void HcsCloseProcess(nint process);

    /// <summary>HRESULT HcsGetProcessInfo(HCS_PROCESS process, HCS_OPERATION operation).</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsGetProcessInfo(HcsProcessHandle process, HcsOperationHandle operation);

    /// <summary>HRESULT HcsSignalProcess(HCS_PROCESS process, HCS_OPERATION operation, PCWSTR options).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsSignalProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options);

    /// <summary>HRESULT HcsTerminateProcess(HCS_PROCESS process, HCS_OPERATION operation, PCWSTR options).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsTerminateProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options);

    /// <summary>HRESULT HcsGetProcessProperties(HCS_PROCESS process, HCS_OPERATION operation, PCWSTR propertyQuery).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsGetProcessProperties(HcsProcessHandle process, HcsOperationHandle operation, string? propertyQuery);

    /// <summary>HRESULT HcsModifyProcess(HCS_PROCESS process, HCS_OPERATION operation, PCWSTR settings).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsModifyProcess(HcsProcessHandle process, HcsOperationHandle operation, string settings);

    /// <summary>HRESULT HcsSetProcessCallback(HCS_PROCESS process, HCS_EVENT_OPTIONS callbackOptions, void* context, HCS_EVENT_CALLBACK callback).</summary>
    [LibraryImport(Lib)]
    internal static partial int HcsSetProcessCallback(HcsProcessHandle process, uint callbackOptions, nint context, delegate* unmanaged<HcsEventNative*, nint, void> callback);

    // --- kernel32 -----------------------------------------------------------------------------------------------

    /// <summary>HLOCAL LocalFree(HLOCAL hMem) (winbase.h): frees HCS's result documents, as its docs require.</summary>
    [LibraryImport("kernel32.dll")]
    internal static partial nint LocalFree(nint memory);
}
