using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Images.Registry;

/// <summary>A registry's error body (distribution-spec spec.md, "Error Codes"): <c>{"errors":[{code,message,detail}]}</c>.</summary>
internal sealed class RegistryErrorBody
{
    [JsonPropertyName("errors")] public List<RegistryError>? Errors { get; set; }

    /// <summary>"CODE: message; CODE: message" from <paramref name="body"/>, or null when it is not such a body.</summary>
    public static string? Describe(byte[] body)
    {
        if (body.Length == 0) return null;
        try
        {
            var parsed = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.RegistryErrorBody);
            if (parsed?.Errors is not { Count: > 0 } errors) return null;
            return string.Join("; ", errors.Select(e => string.IsNullOrEmpty(e.Message) ? e.Code : $"{e.Code}: {e.Message}"));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed class RegistryError
{
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("detail")] public JsonElement? Detail { get; set; }
}
