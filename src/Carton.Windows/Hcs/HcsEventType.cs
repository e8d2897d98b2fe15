namespace Carton.Windows.Hcs;

/// <summary>HCS_EVENT_TYPE: what an event callback registered with HcsSetComputeSystemCallback or HcsSetProcessCallback
/// is told (https://learn.microsoft.com/virtualization/api/hcs/reference/hcs_event_type; the values are computedefs.h's).</summary>
public enum HcsEventType : uint
{
    /// <summary>HcsEventInvalid.</summary>
    Invalid = 0x00000000,
    /// <summary>HcsEventSystemExited: the system stopped; data is a SystemExitStatus.</summary>
    SystemExited = 0x00000001,
    /// <summary>HcsEventSystemCrashInitiated: the guest began to crash.</summary>
    SystemCrashInitiated = 0x00000002,
    /// <summary>HcsEventSystemCrashReport: the guest's crash report.</summary>
    SystemCrashReport = 0x00000003,
    /// <summary>HcsEventSystemRdpEnhancedModeStateChanged.</summary>
    SystemRdpEnhancedModeStateChanged = 0x00000004,
    /// <summary>HcsEventSystemSiloJobCreated (reserved).</summary>
    SystemSiloJobCreated = 0x00000005,
    /// <summary>HcsEventSystemGuestConnectionClosed: the connection to the guest (GCS) closed.</summary>
    SystemGuestConnectionClosed = 0x00000006,
    /// <summary>HcsEventProcessExited: the process exited; data is a ProcessStatus.</summary>
    ProcessExited = 0x00010000,
    /// <summary>HcsEventOperationCallback: an operation completed (only with HcsEventOptionEnableOperationCallbacks).</summary>
    OperationCallback = 0x01000000,
    /// <summary>HcsEventServiceDisconnect: the connection to the service was lost; no more events will come.</summary>
    ServiceDisconnect = 0x02000000,
}

/// <summary>One event from HCS, its data copied out of the native HCS_EVENT before the callback returns.</summary>
/// <param name="Type">What happened.</param>
/// <param name="EventData">The event's JSON document, if any (SystemExitStatus, ProcessStatus, ...).</param>
public sealed record HcsEvent(HcsEventType Type, string? EventData);

/// <summary>What an HCS event means to a managed caller: the mapping from <see cref="HcsEventType"/> to the
/// notifications Carton acts on.</summary>
public enum HcsNotification
{
    /// <summary>An event Carton does not act on (RDP state, silo job, operation callbacks, unknown types).</summary>
    Ignored,
    /// <summary>The system exited (cleanly or not): its init is gone.</summary>
    SystemExited,
    /// <summary>The system began to crash, or sent a crash report.</summary>
    SystemCrashed,
    /// <summary>The connection to the guest closed (a Hyper-V isolated system's GCS went away).</summary>
    GuestConnectionClosed,
    /// <summary>A process exited.</summary>
    ProcessExited,
    /// <summary>The connection to HCS was lost: every pending wait must fail, no exit will be reported.</summary>
    ServiceDisconnected,
}

/// <summary>Maps <see cref="HcsEventType"/> to <see cref="HcsNotification"/>.</summary>
public static class HcsEventMapping
{
    /// <summary>The notification <paramref name="type"/> means.</summary>
    public static HcsNotification Map(HcsEventType type) => type switch
    {
        HcsEventType.SystemExited => HcsNotification.SystemExited,
        HcsEventType.SystemCrashInitiated or HcsEventType.SystemCrashReport => HcsNotification.SystemCrashed,
        HcsEventType.SystemGuestConnectionClosed => HcsNotification.GuestConnectionClosed,
        HcsEventType.ProcessExited => HcsNotification.ProcessExited,
        HcsEventType.ServiceDisconnect => HcsNotification.ServiceDisconnected,
        _ => HcsNotification.Ignored,
    };
}
