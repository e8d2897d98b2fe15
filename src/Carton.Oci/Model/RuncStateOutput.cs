using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>
/// What `runc state` and `runc list --format json` print (runc's containerState struct in
/// list.go). Property order matches runc's field order so output diffs cleanly against runc.
/// </summary>
public sealed class RuncStateOutput
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    /// <summary>Creation time, written as RFC3339Nano in UTC (runc stores time.Now().UTC()).</summary>
    [JsonPropertyName("created")]
    [JsonConverter(typeof(Rfc3339NanoConverter))]
    public DateTime Created { get; set; }

    /// <summary>
    /// Annotations. runc tags this `omitempty`, which drops both nil and empty maps; the JSON
    /// property below reproduces that, so callers may leave an empty dictionary here.
    /// </summary>
    [JsonIgnore] public Dictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("annotations")]
    [JsonInclude]
    internal Dictionary<string, string>? AnnotationsJson
    {
        get => Annotations is { Count: > 0 } ? Annotations : null;
        set => Annotations = value;
    }

    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>
/// Go's time.RFC3339Nano: fractional seconds with trailing zeros removed (and no dot when the
/// fraction is zero), "Z" for UTC. .NET ticks give at most 7 fractional digits.
/// </summary>
public sealed class Rfc3339NanoConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var s = reader.GetString() ?? throw new JsonException("expected an RFC3339 timestamp");
        // Go may emit 9 fractional digits; DateTimeOffset parsing accepts at most 7, so trim.
        s = TrimFraction(s);
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
            throw new JsonException($"invalid RFC3339 timestamp \"{s}\"");
        return dto.UtcDateTime;
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
        => writer.WriteStringValue(Format(value));

    /// <summary>Formats <paramref name="value"/> like Go's RFC3339Nano (UTC).</summary>
    public static string Format(DateTime value)
    {
        var utc = value.Kind switch
        {
            DateTimeKind.Local => value.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            _ => value,
        };
        return utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    private static string TrimFraction(string s)
    {
        int dot = s.IndexOf('.');
        if (dot < 0) return s;
        int end = dot + 1;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        int digits = end - dot - 1;
        return digits <= 7 ? s : string.Concat(s.AsSpan(0, dot + 8), s.AsSpan(end));
    }
}
