using System.Text.Json.Serialization;

namespace Carton.Images.Model;

/// <summary>config.config.Healthcheck (Docker's HEALTHCHECK; image-spec leaves it to Docker): the test and its
/// schedule, durations in nanoseconds, 0 meaning the default.</summary>
public sealed class ImageHealthcheck
{
    /// <summary>[] inherit, ["NONE"] disabled, ["CMD", args...], ["CMD-SHELL", command].</summary>
    [JsonPropertyName("Test")] public List<string>? Test { get; set; }
    [JsonPropertyName("Interval")] public long Interval { get; set; }
    [JsonPropertyName("Timeout")] public long Timeout { get; set; }
    [JsonPropertyName("StartPeriod")] public long StartPeriod { get; set; }
    [JsonPropertyName("StartInterval")] public long StartInterval { get; set; }
    [JsonPropertyName("Retries")] public int Retries { get; set; }
}
