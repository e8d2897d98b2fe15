namespace Carton.Windows.Hcs;

/// <summary>
/// The HRESULTs computecore.dll returns, by name. The HCS_E_* values are Microsoft's table "HCS HRESULT values"
/// (https://learn.microsoft.com/virtualization/api/hcs/reference/hcshresult, winerror.h, FACILITY_COMPUTE = 0x37); the
/// generic ones are winerror.h's. hcsshim (internal/hcs/errors.go) also meets the NTSTATUS-shaped twins (0xC037xxxx) of
/// some of them and Win32 errors wrapped as HRESULT_FROM_WIN32; <see cref="NameOf"/> names those too.
/// </summary>
public static class HcsErrors
{
    /// <summary>Success.</summary>
    public const int S_OK = 0;

    /// <summary>The virtual machine or container exited unexpectedly while starting.</summary>
    public const int HCS_E_TERMINATED_DURING_START = unchecked((int)0x80370100);
    /// <summary>The container operating system does not match the host operating system.</summary>
    public const int HCS_E_IMAGE_MISMATCH = unchecked((int)0x80370101);
    /// <summary>A required feature (Hyper-V, Containers) is not installed.</summary>
    public const int HCS_E_HYPERV_NOT_INSTALLED = unchecked((int)0x80370102);
    /// <summary>The requested operation is not valid in the system's current state.</summary>
    public const int HCS_E_INVALID_STATE = unchecked((int)0x80370105);
    /// <summary>The virtual machine or container exited unexpectedly.</summary>
    public const int HCS_E_UNEXPECTED_EXIT = unchecked((int)0x80370106);
    /// <summary>The virtual machine or container was forcefully exited.</summary>
    public const int HCS_E_TERMINATED = unchecked((int)0x80370107);
    /// <summary>A connection could not be established with the container or virtual machine.</summary>
    public const int HCS_E_CONNECT_FAILED = unchecked((int)0x80370108);
    /// <summary>No response was received from the virtual machine or container in time.</summary>
    public const int HCS_E_CONNECTION_TIMEOUT = unchecked((int)0x80370109);
    /// <summary>The connection with the virtual machine or container was closed.</summary>
    public const int HCS_E_CONNECTION_CLOSED = unchecked((int)0x8037010A);
    /// <summary>An unknown internal message was received by the service.</summary>
    public const int HCS_E_UNKNOWN_MESSAGE = unchecked((int)0x8037010B);
    /// <summary>The communication protocol version between the service and the guest is not supported.</summary>
    public const int HCS_E_UNSUPPORTED_PROTOCOL_VERSION = unchecked((int)0x8037010C);
    /// <summary>The JSON document is invalid.</summary>
    public const int HCS_E_INVALID_JSON = unchecked((int)0x8037010D);
    /// <summary>No compute system has that id.</summary>
    public const int HCS_E_SYSTEM_NOT_FOUND = unchecked((int)0x8037010E);
    /// <summary>A compute system with that id already exists.</summary>
    public const int HCS_E_SYSTEM_ALREADY_EXISTS = unchecked((int)0x8037010F);
    /// <summary>The compute system has already stopped.</summary>
    public const int HCS_E_SYSTEM_ALREADY_STOPPED = unchecked((int)0x80370110);
    /// <summary>The communication protocol between the service and the guest failed.</summary>
    public const int HCS_E_PROTOCOL_ERROR = unchecked((int)0x80370111);
    /// <summary>The container image contains a layer with an unrecognized format.</summary>
    public const int HCS_E_INVALID_LAYER = unchecked((int)0x80370112);
    /// <summary>Running the container requires a Windows Insider build.</summary>
    public const int HCS_E_WINDOWS_INSIDER_REQUIRED = unchecked((int)0x80370113);
    /// <summary>The Host Compute Service is not available.</summary>
    public const int HCS_E_SERVICE_NOT_AVAILABLE = unchecked((int)0x80370114);
    /// <summary>The operation has not been used in a call yet.</summary>
    public const int HCS_E_OPERATION_NOT_STARTED = unchecked((int)0x80370115);
    /// <summary>The operation is already in use by another call.</summary>
    public const int HCS_E_OPERATION_ALREADY_STARTED = unchecked((int)0x80370116);
    /// <summary>The operation has not completed yet.</summary>
    public const int HCS_E_OPERATION_PENDING = unchecked((int)0x80370117);
    /// <summary>The operation did not complete in the time allowed.</summary>
    public const int HCS_E_OPERATION_TIMEOUT = unchecked((int)0x80370118);
    /// <summary>An operation callback was given while the handle's event callback takes operation completions.</summary>
    public const int HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET = unchecked((int)0x80370119);
    /// <summary>The service could not allocate the operation's result.</summary>
    public const int HCS_E_OPERATION_RESULT_ALLOCATION_FAILED = unchecked((int)0x8037011A);
    /// <summary>The caller may not use the compute system (HCS's own access check).</summary>
    public const int HCS_E_ACCESS_DENIED = unchecked((int)0x8037011B);
    /// <summary>The guest reported a critical error.</summary>
    public const int HCS_E_GUEST_CRITICAL_ERROR = unchecked((int)0x8037011C);
    /// <summary>The process information is not available.</summary>
    public const int HCS_E_PROCESS_INFO_NOT_AVAILABLE = unchecked((int)0x8037011D);
    /// <summary>The connection to the Host Compute Service was lost.</summary>
    public const int HCS_E_SERVICE_DISCONNECT = unchecked((int)0x8037011E);
    /// <summary>The process has already exited.</summary>
    public const int HCS_E_PROCESS_ALREADY_STOPPED = unchecked((int)0x8037011F);
    /// <summary>The compute system is not configured for the operation.</summary>
    public const int HCS_E_SYSTEM_NOT_CONFIGURED_FOR_OPERATION = unchecked((int)0x80370120);
    /// <summary>The operation has already been cancelled.</summary>
    public const int HCS_E_OPERATION_ALREADY_CANCELLED = unchecked((int)0x80370121);

    /// <summary>General access denied (winerror.h), HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED).</summary>
    public const int E_ACCESSDENIED = unchecked((int)0x80070005);
    /// <summary>The handle is invalid: HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE), e.g. a closed system handle (hcsshim's ErrInvalidHandle).</summary>
    public const int E_HANDLE = unchecked((int)0x80070006);
    /// <summary>The data is invalid: HRESULT_FROM_WIN32(ERROR_INVALID_DATA) (hcsshim's ErrInvalidData).</summary>
    public const int ERROR_INVALID_DATA_HR = unchecked((int)0x8007000D);
    /// <summary>The request is not supported: HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED).</summary>
    public const int ERROR_NOT_SUPPORTED_HR = unchecked((int)0x80070032);
    /// <summary>One or more arguments are invalid (winerror.h).</summary>
    public const int E_INVALIDARG = unchecked((int)0x80070057);
    /// <summary>Element not found: HRESULT_FROM_WIN32(ERROR_NOT_FOUND) (hcsshim's ErrElementNotFound).</summary>
    public const int ERROR_NOT_FOUND_HR = unchecked((int)0x80070490);
    /// <summary>Not implemented (winerror.h).</summary>
    public const int E_NOTIMPL = unchecked((int)0x80004001);
    /// <summary>Out of memory (winerror.h).</summary>
    public const int E_OUTOFMEMORY = unchecked((int)0x8007000E);
    /// <summary>Unspecified failure (winerror.h).</summary>
    public const int E_FAIL = unchecked((int)0x80004005);
    /// <summary>The wait timed out: HRESULT_FROM_WIN32(ERROR_TIMEOUT).</summary>
    public const int ERROR_TIMEOUT_HR = unchecked((int)0x800705B4);

    /// <summary>The NTSTATUS-shaped "system not found" hcsshim meets from vmcompute (ErrComputeSystemDoesNotExist).</summary>
    public const int VMCOMPUTE_SYSTEM_NOT_FOUND = unchecked((int)0xC037010E);
    /// <summary>The NTSTATUS-shaped "already stopped" hcsshim meets from vmcompute (ErrVmcomputeAlreadyStopped).</summary>
    public const int VMCOMPUTE_ALREADY_STOPPED = unchecked((int)0xC0370110);
    /// <summary>The NTSTATUS-shaped "invalid state" hcsshim meets from vmcompute (ErrVmcomputeOperationInvalidState).</summary>
    public const int VMCOMPUTE_INVALID_STATE = unchecked((int)0xC0370105);
    /// <summary>vmcompute's "operation pending" (hcsshim's ErrVmcomputeOperationPending): the call was accepted and
    /// completes through its operation, like S_OK.</summary>
    public const int VMCOMPUTE_OPERATION_PENDING = unchecked((int)0xC0370103);
    /// <summary>The NTSTATUS-shaped "invalid JSON" hcsshim meets from vmcompute (ErrVmcomputeInvalidJSON).</summary>
    public const int VMCOMPUTE_INVALID_JSON = unchecked((int)0xC037010D);

    private static readonly Dictionary<int, string> Names = new()
    {
        [S_OK] = nameof(S_OK),
        [HCS_E_TERMINATED_DURING_START] = nameof(HCS_E_TERMINATED_DURING_START),
        [HCS_E_IMAGE_MISMATCH] = nameof(HCS_E_IMAGE_MISMATCH),
        [HCS_E_HYPERV_NOT_INSTALLED] = nameof(HCS_E_HYPERV_NOT_INSTALLED),
        [HCS_E_INVALID_STATE] = nameof(HCS_E_INVALID_STATE),
        [HCS_E_UNEXPECTED_EXIT] = nameof(HCS_E_UNEXPECTED_EXIT),
        [HCS_E_TERMINATED] = nameof(HCS_E_TERMINATED),
        [HCS_E_CONNECT_FAILED] = nameof(HCS_E_CONNECT_FAILED),
        [HCS_E_CONNECTION_TIMEOUT] = nameof(HCS_E_CONNECTION_TIMEOUT),
        [HCS_E_CONNECTION_CLOSED] = nameof(HCS_E_CONNECTION_CLOSED),
        [HCS_E_UNKNOWN_MESSAGE] = nameof(HCS_E_UNKNOWN_MESSAGE),
        [HCS_E_UNSUPPORTED_PROTOCOL_VERSION] = nameof(HCS_E_UNSUPPORTED_PROTOCOL_VERSION),
        [HCS_E_INVALID_JSON] = nameof(HCS_E_INVALID_JSON),
        [HCS_E_SYSTEM_NOT_FOUND] = nameof(HCS_E_SYSTEM_NOT_FOUND),
        [HCS_E_SYSTEM_ALREADY_EXISTS] = nameof(HCS_E_SYSTEM_ALREADY_EXISTS),
        [HCS_E_SYSTEM_ALREADY_STOPPED] = nameof(HCS_E_SYSTEM_ALREADY_STOPPED),
        [HCS_E_PROTOCOL_ERROR] = nameof(HCS_E_PROTOCOL_ERROR),
        [HCS_E_INVALID_LAYER] = nameof(HCS_E_INVALID_LAYER),
        [HCS_E_WINDOWS_INSIDER_REQUIRED] = nameof(HCS_E_WINDOWS_INSIDER_REQUIRED),
        [HCS_E_SERVICE_NOT_AVAILABLE] = nameof(HCS_E_SERVICE_NOT_AVAILABLE),
        [HCS_E_OPERATION_NOT_STARTED] = nameof(HCS_E_OPERATION_NOT_STARTED),
        [HCS_E_OPERATION_ALREADY_STARTED] = nameof(HCS_E_OPERATION_ALREADY_STARTED),
        [HCS_E_OPERATION_PENDING] = nameof(HCS_E_OPERATION_PENDING),
        [HCS_E_OPERATION_TIMEOUT] = nameof(HCS_E_OPERATION_TIMEOUT),
        [HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET] = nameof(HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET),
        [HCS_E_OPERATION_RESULT_ALLOCATION_FAILED] = nameof(HCS_E_OPERATION_RESULT_ALLOCATION_FAILED),
        [HCS_E_ACCESS_DENIED] = nameof(HCS_E_ACCESS_DENIED),
        [HCS_E_GUEST_CRITICAL_ERROR] = nameof(HCS_E_GUEST_CRITICAL_ERROR),
        [HCS_E_PROCESS_INFO_NOT_AVAILABLE] = nameof(HCS_E_PROCESS_INFO_NOT_AVAILABLE),
        [HCS_E_SERVICE_DISCONNECT] = nameof(HCS_E_SERVICE_DISCONNECT),
        [HCS_E_PROCESS_ALREADY_STOPPED] = nameof(HCS_E_PROCESS_ALREADY_STOPPED),
        [HCS_E_SYSTEM_NOT_CONFIGURED_FOR_OPERATION] = nameof(HCS_E_SYSTEM_NOT_CONFIGURED_FOR_OPERATION),
        [HCS_E_OPERATION_ALREADY_CANCELLED] = nameof(HCS_E_OPERATION_ALREADY_CANCELLED),
        [E_ACCESSDENIED] = nameof(E_ACCESSDENIED),
        [E_HANDLE] = "ERROR_INVALID_HANDLE",
        [ERROR_INVALID_DATA_HR] = "ERROR_INVALID_DATA",
        [ERROR_NOT_SUPPORTED_HR] = "ERROR_NOT_SUPPORTED",
        [E_INVALIDARG] = nameof(E_INVALIDARG),
        [ERROR_NOT_FOUND_HR] = "ERROR_NOT_FOUND",
        [E_NOTIMPL] = nameof(E_NOTIMPL),
        [E_OUTOFMEMORY] = nameof(E_OUTOFMEMORY),
        [E_FAIL] = nameof(E_FAIL),
        [ERROR_TIMEOUT_HR] = "ERROR_TIMEOUT",
        [VMCOMPUTE_SYSTEM_NOT_FOUND] = "HCS_E_SYSTEM_NOT_FOUND (NTSTATUS form)",
        [VMCOMPUTE_ALREADY_STOPPED] = "HCS_E_SYSTEM_ALREADY_STOPPED (NTSTATUS form)",
        [VMCOMPUTE_INVALID_STATE] = "HCS_E_INVALID_STATE (NTSTATUS form)",
        [VMCOMPUTE_OPERATION_PENDING] = "VMCOMPUTE_OPERATION_PENDING",
        [VMCOMPUTE_INVALID_JSON] = "HCS_E_INVALID_JSON (NTSTATUS form)",
    };

    /// <summary>True when <paramref name="hresult"/> is a failure (SUCCEEDED/FAILED test: the sign bit).</summary>
    public static bool Failed(int hresult) => hresult < 0;

    /// <summary>True when a call that takes an operation has started it: success, or "pending" (which some builds
    /// return for a call that completes through the operation).</summary>
    public static bool Started(int hresult) =>
        !Failed(hresult) || hresult == HCS_E_OPERATION_PENDING || hresult == VMCOMPUTE_OPERATION_PENDING;

    /// <summary>The name of <paramref name="hresult"/> ("HCS_E_SYSTEM_NOT_FOUND"), or its hex form ("0x80370199") when unknown.</summary>
    public static string NameOf(int hresult) =>
        Names.TryGetValue(hresult, out var name) ? name : $"0x{unchecked((uint)hresult):X8}";

    /// <summary>
    /// The HRESULT with the NTSTATUS-shaped twins (0xC037xxxx, facility 0x37 with the customer bit clear) folded onto
    /// the documented HRESULT (0x8037xxxx), so a caller compares against one constant (hcsshim checks both forms).
    /// </summary>
    public static int Normalize(int hresult) =>
        (unchecked((uint)hresult) & 0xFFFF0000u) == 0xC0370000u ? unchecked((int)((uint)hresult & 0xBFFFFFFFu)) : hresult;

    /// <summary>
    /// What kind of failure <paramref name="hresult"/> is, for a caller that has no more specific typed error:
    /// the common HCS codes by name; anything else is <see cref="ErrorKind.Internal"/>.
    /// </summary>
    public static ErrorKind KindOf(int hresult) => Normalize(hresult) switch
    {
        HCS_E_SYSTEM_NOT_FOUND or ERROR_NOT_FOUND_HR or HCS_E_PROCESS_INFO_NOT_AVAILABLE => ErrorKind.NotFound,
        HCS_E_SYSTEM_ALREADY_EXISTS => ErrorKind.AlreadyExists,
        HCS_E_INVALID_JSON or E_INVALIDARG or ERROR_INVALID_DATA_HR or HCS_E_INVALID_LAYER => ErrorKind.InvalidDocument,
        HCS_E_INVALID_STATE or HCS_E_SYSTEM_ALREADY_STOPPED or HCS_E_PROCESS_ALREADY_STOPPED
            or HCS_E_OPERATION_ALREADY_STARTED or HCS_E_OPERATION_NOT_STARTED => ErrorKind.InvalidState,
        HCS_E_ACCESS_DENIED or E_ACCESSDENIED => ErrorKind.PermissionDenied,
        HCS_E_OPERATION_TIMEOUT or HCS_E_CONNECTION_TIMEOUT or ERROR_TIMEOUT_HR => ErrorKind.Timeout,
        HCS_E_SERVICE_NOT_AVAILABLE or HCS_E_SERVICE_DISCONNECT => ErrorKind.Unavailable,
        HCS_E_HYPERV_NOT_INSTALLED or HCS_E_IMAGE_MISMATCH or HCS_E_WINDOWS_INSIDER_REQUIRED
            or HCS_E_UNSUPPORTED_PROTOCOL_VERSION or HCS_E_SYSTEM_NOT_CONFIGURED_FOR_OPERATION
            or E_NOTIMPL or ERROR_NOT_SUPPORTED_HR => ErrorKind.Unsupported,
        E_OUTOFMEMORY => ErrorKind.ResourceExhausted,
        _ => ErrorKind.Internal,
    };
}
