using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Core;

/// <summary>The HRESULT table against Microsoft's "HCS HRESULT values" page (hcshresult), written out by hand here.</summary>
public sealed class HcsErrorsTests
{
    public static TheoryData<int, uint, string> Documented => new()
    {
        { HcsErrors.HCS_E_TERMINATED_DURING_START, 0x80370100, "HCS_E_TERMINATED_DURING_START" },
        { HcsErrors.HCS_E_IMAGE_MISMATCH, 0x80370101, "HCS_E_IMAGE_MISMATCH" },
        { HcsErrors.HCS_E_HYPERV_NOT_INSTALLED, 0x80370102, "HCS_E_HYPERV_NOT_INSTALLED" },
        { HcsErrors.HCS_E_INVALID_STATE, 0x80370105, "HCS_E_INVALID_STATE" },
        { HcsErrors.HCS_E_UNEXPECTED_EXIT, 0x80370106, "HCS_E_UNEXPECTED_EXIT" },
        { HcsErrors.HCS_E_TERMINATED, 0x80370107, "HCS_E_TERMINATED" },
        { HcsErrors.HCS_E_CONNECT_FAILED, 0x80370108, "HCS_E_CONNECT_FAILED" },
        { HcsErrors.HCS_E_CONNECTION_TIMEOUT, 0x80370109, "HCS_E_CONNECTION_TIMEOUT" },
        { HcsErrors.HCS_E_CONNECTION_CLOSED, 0x8037010A, "HCS_E_CONNECTION_CLOSED" },
        { HcsErrors.HCS_E_UNKNOWN_MESSAGE, 0x8037010B, "HCS_E_UNKNOWN_MESSAGE" },
        { HcsErrors.HCS_E_UNSUPPORTED_PROTOCOL_VERSION, 0x8037010C, "HCS_E_UNSUPPORTED_PROTOCOL_VERSION" },
        { HcsErrors.HCS_E_INVALID_JSON, 0x8037010D, "HCS_E_INVALID_JSON" },
        { HcsErrors.HCS_E_SYSTEM_NOT_FOUND, 0x8037010E, "HCS_E_SYSTEM_NOT_FOUND" },
        { HcsErrors.HCS_E_SYSTEM_ALREADY_EXISTS, 0x8037010F, "HCS_E_SYSTEM_ALREADY_EXISTS" },
        { HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED, 0x80370110, "HCS_E_SYSTEM_ALREADY_STOPPED" },
        { HcsErrors.HCS_E_PROTOCOL_ERROR, 0x80370111, "HCS_E_PROTOCOL_ERROR" },
        { HcsErrors.HCS_E_INVALID_LAYER, 0x80370112, "HCS_E_INVALID_LAYER" },
        { HcsErrors.HCS_E_WINDOWS_INSIDER_REQUIRED, 0x80370113, "HCS_E_WINDOWS_INSIDER_REQUIRED" },
        { HcsErrors.HCS_E_SERVICE_NOT_AVAILABLE, 0x80370114, "HCS_E_SERVICE_NOT_AVAILABLE" },
        { HcsErrors.HCS_E_OPERATION_NOT_STARTED, 0x80370115, "HCS_E_OPERATION_NOT_STARTED" },
        { HcsErrors.HCS_E_OPERATION_ALREADY_STARTED, 0x80370116, "HCS_E_OPERATION_ALREADY_STARTED" },
        { HcsErrors.HCS_E_OPERATION_PENDING, 0x80370117, "HCS_E_OPERATION_PENDING" },
        { HcsErrors.HCS_E_OPERATION_TIMEOUT, 0x80370118, "HCS_E_OPERATION_TIMEOUT" },
        { HcsErrors.HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET, 0x80370119, "HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET" },
        { HcsErrors.HCS_E_OPERATION_RESULT_ALLOCATION_FAILED, 0x8037011A, "HCS_E_OPERATION_RESULT_ALLOCATION_FAILED" },
        { HcsErrors.HCS_E_ACCESS_DENIED, 0x8037011B, "HCS_E_ACCESS_DENIED" },
        { HcsErrors.HCS_E_GUEST_CRITICAL_ERROR, 0x8037011C, "HCS_E_GUEST_CRITICAL_ERROR" },
        { HcsErrors.HCS_E_PROCESS_INFO_NOT_AVAILABLE, 0x8037011D, "HCS_E_PROCESS_INFO_NOT_AVAILABLE" },
        { HcsErrors.HCS_E_SERVICE_DISCONNECT, 0x8037011E, "HCS_E_SERVICE_DISCONNECT" },
        { HcsErrors.HCS_E_PROCESS_ALREADY_STOPPED, 0x8037011F, "HCS_E_PROCESS_ALREADY_STOPPED" },
        { HcsErrors.HCS_E_SYSTEM_NOT_CONFIGURED_FOR_OPERATION, 0x80370120, "HCS_E_SYSTEM_NOT_CONFIGURED_FOR_OPERATION" },
        { HcsErrors.HCS_E_OPERATION_ALREADY_CANCELLED, 0x80370121, "HCS_E_OPERATION_ALREADY_CANCELLED" },
        { HcsErrors.E_ACCESSDENIED, 0x80070005, "E_ACCESSDENIED" },
        { HcsErrors.E_INVALIDARG, 0x80070057, "E_INVALIDARG" },
        { HcsErrors.E_NOTIMPL, 0x80004001, "E_NOTIMPL" },
        { HcsErrors.ERROR_NOT_FOUND_HR, 0x80070490, "ERROR_NOT_FOUND" },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void Each_code_has_its_documented_value_and_name(int constant, uint documented, string name)
    {
        Assert.Equal(documented, unchecked((uint)constant));
        Assert.Equal(name, HcsErrors.NameOf(constant));
    }

    [Fact]
    public void An_unknown_code_is_named_by_its_hex_form() =>
        Assert.Equal("0x80370199", HcsErrors.NameOf(unchecked((int)0x80370199)));

    [Fact]
    public void NTSTATUS_shaped_twins_fold_onto_the_documented_codes()
    {
        Assert.Equal(HcsErrors.HCS_E_SYSTEM_NOT_FOUND, HcsErrors.Normalize(unchecked((int)0xC037010E)));
        Assert.Equal(HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED, HcsErrors.Normalize(unchecked((int)0xC0370110)));
        Assert.Equal(HcsErrors.E_INVALIDARG, HcsErrors.Normalize(HcsErrors.E_INVALIDARG));
    }

    [Fact]
    public void Pending_counts_as_started_and_failures_do_not()
    {
        Assert.True(HcsErrors.Started(HcsErrors.S_OK));
        Assert.True(HcsErrors.Started(HcsErrors.HCS_E_OPERATION_PENDING));
        Assert.True(HcsErrors.Started(HcsErrors.VMCOMPUTE_OPERATION_PENDING));
        Assert.False(HcsErrors.Started(HcsErrors.HCS_E_INVALID_JSON));
    }

    [Theory]
    [InlineData(0x8037010E, ErrorKind.NotFound)]
    [InlineData(0xC037010E, ErrorKind.NotFound)]
    [InlineData(0x8037010F, ErrorKind.AlreadyExists)]
    [InlineData(0x8037010D, ErrorKind.InvalidDocument)]
    [InlineData(0x80370105, ErrorKind.InvalidState)]
    [InlineData(0x80370110, ErrorKind.InvalidState)]
    [InlineData(0x8037011B, ErrorKind.PermissionDenied)]
    [InlineData(0x80070005, ErrorKind.PermissionDenied)]
    [InlineData(0x80370118, ErrorKind.Timeout)]
    [InlineData(0x80370109, ErrorKind.Timeout)]
    [InlineData(0x8037011E, ErrorKind.Unavailable)]
    [InlineData(0x80370102, ErrorKind.Unsupported)]
    [InlineData(0x80004001, ErrorKind.Unsupported)]
    [InlineData(0x80370107, ErrorKind.Internal)]
    public void Each_common_code_has_its_kind(uint hresult, ErrorKind kind) =>
        Assert.Equal(kind, HcsErrors.KindOf(unchecked((int)hresult)));

    [Theory]
    [InlineData(HcsEventType.SystemExited, HcsNotification.SystemExited)]
    [InlineData(HcsEventType.SystemCrashInitiated, HcsNotification.SystemCrashed)]
    [InlineData(HcsEventType.SystemCrashReport, HcsNotification.SystemCrashed)]
    [InlineData(HcsEventType.SystemGuestConnectionClosed, HcsNotification.GuestConnectionClosed)]
    [InlineData(HcsEventType.ProcessExited, HcsNotification.ProcessExited)]
    [InlineData(HcsEventType.ServiceDisconnect, HcsNotification.ServiceDisconnected)]
    [InlineData(HcsEventType.SystemRdpEnhancedModeStateChanged, HcsNotification.Ignored)]
    [InlineData(HcsEventType.SystemSiloJobCreated, HcsNotification.Ignored)]
    [InlineData(HcsEventType.OperationCallback, HcsNotification.Ignored)]
    [InlineData((HcsEventType)0x12345, HcsNotification.Ignored)]
    public void Each_event_type_maps_to_its_notification(HcsEventType type, HcsNotification expected) =>
        Assert.Equal(expected, HcsEventMapping.Map(type));

    [Fact]
    public void Event_type_values_are_computedefs_values()
    {
        // HCS_EVENT_TYPE, as the hcs_event_type reference page lists it.
        Assert.Equal(0x00000001u, (uint)HcsEventType.SystemExited);
        Assert.Equal(0x00000002u, (uint)HcsEventType.SystemCrashInitiated);
        Assert.Equal(0x00000003u, (uint)HcsEventType.SystemCrashReport);
        Assert.Equal(0x00000004u, (uint)HcsEventType.SystemRdpEnhancedModeStateChanged);
        Assert.Equal(0x00000005u, (uint)HcsEventType.SystemSiloJobCreated);
        Assert.Equal(0x00000006u, (uint)HcsEventType.SystemGuestConnectionClosed);
        Assert.Equal(0x00010000u, (uint)HcsEventType.ProcessExited);
        Assert.Equal(0x01000000u, (uint)HcsEventType.OperationCallback);
        Assert.Equal(0x02000000u, (uint)HcsEventType.ServiceDisconnect);
    }
}
