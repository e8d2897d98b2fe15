using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs;

/// <summary>
/// The error document HCS may return with a failed operation: schema "ResultError"
/// (https://learn.microsoft.com/virtualization/api/hcs/schemareference#ResultError). hcsshim reads the same three fields
/// (internal/hcs/errors.go, hcsResult).
/// </summary>
public sealed class HcsResultError
{
    /// <summary>The HRESULT HCS reports for the failure.</summary>
    public int Error { get; set; }
    /// <summary>HCS's message for it.</summary>
    public string? ErrorMessage { get; set; }
    /// <summary>The events behind it, the most useful detail usually in their <see cref="HcsErrorEvent.Message"/>.</summary>
    public List<HcsErrorEvent>? ErrorEvents { get; set; }
}

/// <summary>One event of a <see cref="HcsResultError"/> (schema "ErrorEvent").</summary>
public sealed class HcsErrorEvent
{
    /// <summary>The formatted message.</summary>
    public string? Message { get; set; }
    /// <summary>The stack trace, when HCS gives one.</summary>
    public string? StackTrace { get; set; }
    /// <summary>The ETW provider GUID that raised it.</summary>
    public string? Provider { get; set; }
    /// <summary>The event id.</summary>
    public int EventId { get; set; }
    /// <summary>Where it came from.</summary>
    public string? Source { get; set; }
}

/// <summary>The data of an <see cref="HcsEventType.SystemExited"/> event: schema "SystemExitStatus"
/// (https://learn.microsoft.com/virtualization/api/hcs/schemareference#SystemExitStatus).</summary>
public sealed class HcsSystemExitStatus
{
    /// <summary>The HRESULT of the exit (S_OK for a clean shutdown).</summary>
    public int Status { get; set; }
    /// <summary>How the system exited ("GracefulExit", "ForcedExit", "UnexpectedExit", "Unknown"), when HCS says.</summary>
    public string? ExitType { get; set; }
}

/// <summary>The data of an <see cref="HcsEventType.ProcessExited"/> event and of HcsGetProcessProperties: schema
/// "ProcessStatus" (https://learn.microsoft.com/virtualization/api/hcs/schemareference#ProcessStatus).</summary>
public sealed class HcsProcessStatus
{
    /// <summary>The process id.</summary>
    public uint ProcessId { get; set; }
    /// <summary>Whether the process has exited.</summary>
    public bool Exited { get; set; }
    /// <summary>Its exit code, once exited.</summary>
    public uint ExitCode { get; set; }
    /// <summary>The HRESULT of HCS's last wait on the process.</summary>
    public int LastWaitResult { get; set; }
}

/// <summary>Source-generated serialization of the documents this folder reads (no reflection; NativeAOT-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(HcsResultError))]
[JsonSerializable(typeof(HcsSystemExitStatus))]
[JsonSerializable(typeof(HcsProcessStatus))]
public sealed partial class HcsCoreJsonContext : JsonSerializerContext;
