using System.Globalization;
using System.Text.RegularExpressions;

namespace Carton.Docker;

/// <summary>
/// The filters of the prune endpoints (dockerd's daemon/prune.go and images/image_prune.go): <c>until</c> (a
/// timestamp: Unix seconds, an RFC 3339 date, or a Go duration before now such as "24h" or "1h30m"), <c>label</c>
/// and <c>label!</c> ("key" or "key=value"; every label= must match, no label! may).
/// </summary>
internal sealed partial class PruneFilters
{
    private readonly DockerFilters _filters;
    private readonly DateTime? _until;

    private PruneFilters(DockerFilters filters, DateTime? until) => (_filters, _until) = (filters, until);

    public DockerFilters Raw => _filters;

    public static PruneFilters Parse(HttpContext ctx, params string[] extra)
    {
        var filters = DockerFilters.Parse(ctx, ["until", "label", "label!", .. extra]);
        DateTime? until = null;
        if (filters.Has("until"))
        {
            var values = filters.Get("until");
            if (values.Count > 1) throw DockerErrors.BadRequest("more than one until filter specified", "filters");
            until = ParseTimestamp(values[0]);
        }
        return new PruneFilters(filters, until);
    }

    /// <summary>True when an object made at <paramref name="created"/> with <paramref name="labels"/> is selected.</summary>
    public bool Selects(DateTime created, IReadOnlyDictionary<string, string>? labels)
    {
        if (_until is { } until && created.ToUniversalTime() >= until) return false;
        labels ??= new Dictionary<string, string>();
        foreach (var f in _filters.Get("label"))
            if (!HasLabel(labels, f)) return false;
        foreach (var f in _filters.Get("label!"))
            if (HasLabel(labels, f)) return false;
        return true;
    }

    private static bool HasLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        int eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }

    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex DurationPart();

    /// <summary>dockerd's timetypes.GetTimestamp for <c>until</c>.</summary>
    public static DateTime ParseTimestamp(string value)
    {
        if (Duration().IsMatch(value))
        {
            double seconds = 0;
            foreach (Match m in DurationPart().Matches(value))
            {
                var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                seconds += m.Groups[2].Value switch
                {
                    "h" => n * 3600, "m" => n * 60, "s" => n, "ms" => n / 1e3, "us" or "µs" => n / 1e6, _ => n / 1e9,
                };
            }
            return DateTime.UtcNow.AddSeconds(-seconds);
        }
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var unix))
            return DateTime.UnixEpoch.AddTicks((long)(unix * TimeSpan.TicksPerSecond));
        if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
            return t;
        throw DockerErrors.BadRequest($"failed to parse value as time or duration: \"{value}\"", "filters");
    }
}
