using System.Globalization;

namespace Carton.Oci;

/// <summary>
/// Linux signal names and numbers as the runtimes and engines take them ("KILL", "SIGKILL", "9", "RTMIN+3"): one
/// table for `carton kill` (Carton.Runtime.Signals) and the Docker API's kill and stop (Carton.Docker.Signals).
/// Names are matched as given (upper case); numbers are 1..64.
/// </summary>
public static class SignalNames
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7, ["FPE"] = 8,
        ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15,
        ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22,
        ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29,
        ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>True for a known name (with or without SIG), RTMIN[+-n]/RTMAX[+-n] within 34..64, or a number 1..64.</summary>
    public static bool TryParse(string text, out int number)
    {
        number = 0;
        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number is >= 1 and <= 64;
        var name = text.StartsWith("SIG", StringComparison.Ordinal) ? text[3..] : text;
        if (ByName.TryGetValue(name, out number)) return true;
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) || name.StartsWith("RTMAX", StringComparison.Ordinal))
        {
            var rest = name[5..];
            int offset = 0;
            if (rest.Length > 0 && !int.TryParse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset)) return false;
            number = name.StartsWith("RTMIN", StringComparison.Ordinal) ? 34 + offset : 64 + offset;
            return number is >= 34 and <= 64;
        }
        return false;
    }
}
