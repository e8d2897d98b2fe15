using System.Text.Json;

namespace Carton.Docker;

/// <summary>
/// The <c>filters</c> query parameter of the list endpoints: JSON, either <c>{"key":{"value":true}}</c> (what the
/// CLIs send) or the older <c>{"key":["value"]}</c>. Malformed JSON and unknown keys are 400s, as in dockerd.
/// </summary>
internal sealed class DockerFilters
{
    private readonly Dictionary<string, List<string>> _values;

    private DockerFilters(Dictionary<string, List<string>> values) => _values = values;

    public static DockerFilters Parse(HttpContext ctx, params string[] allowed)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (ctx.Request.Query.TryGetValue("filters", out var raw) && raw.Count > 0 && !string.IsNullOrEmpty(raw[0]))
        {
            try
            {
                using var doc = JsonDocument.Parse(raw[0]!);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw DockerErrors.BadRequest("invalid filters: the filters parameter must be a JSON object", "filters");
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    var list = new List<string>();
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.Object:
                            foreach (var v in property.Value.EnumerateObject())
                                if (v.Value.ValueKind == JsonValueKind.True) list.Add(v.Name);
                            break;
                        case JsonValueKind.Array:
                            foreach (var v in property.Value.EnumerateArray())
                                list.Add(v.ValueKind == JsonValueKind.String ? v.GetString()! : throw DockerErrors.BadRequest($"invalid filter '{property.Name}': values must be strings", "filters"));
                            break;
                        default:
                            throw DockerErrors.BadRequest($"invalid filter '{property.Name}': expected an object or an array of values", "filters");
                    }
                    values[property.Name] = list;
                }
            }
            catch (JsonException e)
            {
                throw DockerErrors.BadRequest($"invalid filters: {e.Message}", "filters");
            }
        }
        foreach (var key in values.Keys)
            if (!allowed.Contains(key)) throw DockerErrors.BadRequest($"invalid filter '{key}'", "filters");
        return new DockerFilters(values);
    }

    /// <summary>The values given for <paramref name="key"/> (empty when none).</summary>
    public IReadOnlyList<string> Get(string key) => _values.TryGetValue(key, out var v) ? v : [];

    public bool Has(string key) => _values.ContainsKey(key) && _values[key].Count > 0;

    /// <summary>dockerd's filters.Args.Match: some value of <paramref name="key"/> equals one of the texts or, as a
    /// regular expression, matches somewhere in it (a value that is no valid expression matches only exactly). The
    /// name filters of containers and networks use it ("name=^web$" is an exact name).</summary>
    public bool Match(string key, params string[] texts)
    {
        foreach (var value in Get(key))
        {
            foreach (var text in texts)
            {
                if (value == text) return true;
                try
                {
                    if (System.Text.RegularExpressions.Regex.IsMatch(text, value, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))) return true;
                }
                catch (ArgumentException)
                {
                }
                catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
                {
                }
            }
        }
        return false;
    }

    /// <summary>Go's path.Match, which dockerd's reference filter uses: '*' is any run of characters but '/', '?' one
    /// such character, '[...]' a class ('^' or '!' negates, ranges with '-'), '\' escapes.</summary>
    public static bool GlobMatch(string pattern, string text) => Glob(pattern.AsSpan(), text.AsSpan());

    private static bool Glob(ReadOnlySpan<char> p, ReadOnlySpan<char> s)
    {
        while (p.Length > 0)
        {
            switch (p[0])
            {
                case '*':
                    p = p[1..];
                    for (int i = 0; i <= s.Length; i++)
                    {
                        if (Glob(p, s[i..])) return true;
                        if (i < s.Length && s[i] == '/') return false;
                    }
                    return false;
                case '?':
                    if (s.Length == 0 || s[0] == '/') return false;
                    break;
                case '[':
                    {
                        if (s.Length == 0) return false;
                        int end = p.IndexOf(']');
                        if (end < 0) return false;
                        var cls = p[1..end];
                        bool negate = cls.Length > 0 && (cls[0] == '^' || cls[0] == '!');
                        if (negate) cls = cls[1..];
                        bool hit = false;
                        for (int i = 0; i < cls.Length; i++)
                        {
                            if (i + 2 < cls.Length && cls[i + 1] == '-') { hit |= s[0] >= cls[i] && s[0] <= cls[i + 2]; i += 2; }
                            else hit |= s[0] == cls[i];
                        }
                        if (hit == negate) return false;
                        p = p[end..];
                        break;
                    }
                case '\\' when p.Length > 1:
                    p = p[1..];
                    if (s.Length == 0 || s[0] != p[0]) return false;
                    break;
                default:
                    if (s.Length == 0 || s[0] != p[0]) return false;
                    break;
            }
            p = p[1..];
            s = s[1..];
        }
        return s.Length == 0;
    }
}
