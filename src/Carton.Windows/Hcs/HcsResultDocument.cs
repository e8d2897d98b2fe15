using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Carton.Windows.Hcs;

/// <summary>Reads HCS's result and event documents leniently: HCS gives them "optionally" (the HcsWaitForOperationResult
/// page), so an empty, malformed or differently shaped document is no result rather than a second failure that would
/// hide the first.</summary>
public static class HcsResultDocument
{
    /// <summary>The error document in <paramref name="json"/>, or null when there is none or it cannot be read.</summary>
    public static HcsResultError? ParseError(string? json) => TryParse(json, HcsCoreJsonContext.Default.HcsResultError);

    /// <summary>The exit status of a system-exited event, or null.</summary>
    public static HcsSystemExitStatus? ParseSystemExit(string? json) => TryParse(json, HcsCoreJsonContext.Default.HcsSystemExitStatus);

    /// <summary>The process status of a process-exited event or properties query, or null.</summary>
    public static HcsProcessStatus? ParseProcessStatus(string? json) => TryParse(json, HcsCoreJsonContext.Default.HcsProcessStatus);

    /// <summary>The message a person should read for a failure: HCS's ErrorMessage, then the error events' messages
    /// (hcsshim appends them the same way), or null when the document has none.</summary>
    public static string? MessageOf(HcsResultError? error)
    {
        if (error is null) return null;
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(error.ErrorMessage)) parts.Add(error.ErrorMessage.Trim());
        foreach (var e in error.ErrorEvents ?? [])
            if (!string.IsNullOrWhiteSpace(e.Message) && !parts.Contains(e.Message.Trim())) parts.Add(e.Message.Trim());
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static T? TryParse<T>(string? json, JsonTypeInfo<T> info) where T : class
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try { return JsonSerializer.Deserialize(json, info); }
        catch (JsonException) { return null; }
    }
}
