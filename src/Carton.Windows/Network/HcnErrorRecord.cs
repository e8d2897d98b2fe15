using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>The error record HCN functions return in their <c>ErrorRecord</c> out parameter (the schema's
/// <c>Response</c>: {"ErrorCode", "Error", "Success"}).</summary>
public sealed class HcnErrorRecord
{
    /// <summary>The HRESULT, as a uint32.</summary>
    [JsonPropertyName("ErrorCode")] public uint? ErrorCode { get; set; }
    /// <summary>What went wrong, in HNS's words.</summary>
    [JsonPropertyName("Error")] public string? Error { get; set; }
    /// <summary>False for a failure.</summary>
    [JsonPropertyName("Success")] public bool? Success { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The record in <paramref name="json"/>, or null when there is none or it is not JSON.</summary>
    public static HcnErrorRecord? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            return JsonSerializer.Deserialize(json, HcnJsonContext.Default.HcnErrorRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
