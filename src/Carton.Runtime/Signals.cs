using System.Globalization;

namespace Carton.Runtime;

/// <summary>Signal names and numbers as `runc kill` takes them: "KILL", "SIGKILL", "9" (design.md §3 item 6: strict).</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7, ["FPE"] = 8,
        ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15,
        ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22,
        ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29,
        ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    public static int Parse(string text)
    {
        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= 64) return n;
            throw new ArgumentException($"invalid signal \"{text}\": must be a number from 1 to 64 or a name such as KILL or SIGTERM");
        }
        var name = text.StartsWith("SIG", StringComparison.Ordinal) ? text[3..] : text;
        if (ByName.TryGetValue(name, out int s)) return s;
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) || name.StartsWith("RTMAX", StringComparison.Ordinal))
        {
            var rest = name[5..];
            int offset = rest.Length == 0 ? 0 : int.Parse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            int v = name.StartsWith("RTMIN", StringComparison.Ordinal) ? 34 + offset : 64 + offset;
            if (v >= 34 && v <= 64) return v;
        }
        throw new ArgumentException($"invalid signal \"{text}\": unknown signal name");
    }
}
