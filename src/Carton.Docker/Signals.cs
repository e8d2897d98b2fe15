using System.Globalization;

namespace Carton.Docker;

/// <summary>Signal names and numbers as the Docker API takes them: "SIGTERM", "TERM", "15" (Linux numbering).</summary>
internal static class Signals
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7, ["FPE"] = 8,
        ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15,
        ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22,
        ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29,
        ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>The signal's number, or 400 naming <paramref name="field"/>.</summary>
    public static int Parse(string text, string field)
    {
        var s = text.Trim().ToUpperInvariant();
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 64) return n;
        if (s.StartsWith("SIG", StringComparison.Ordinal)) s = s[3..];
        if (ByName.TryGetValue(s, out n)) return n;
        if (s.StartsWith("RTMIN", StringComparison.Ordinal))
        {
            var rest = s[5..];
            if (rest.Length == 0) return 34;
            if (rest[0] == '+' && int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var k) && 34 + k <= 64) return 34 + k;
        }
        throw DockerErrors.BadRequest($"Invalid signal: {text}", field);
    }
}
