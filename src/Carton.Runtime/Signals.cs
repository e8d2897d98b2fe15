using Carton.Oci;

namespace Carton.Runtime;

/// <summary>Signal names and numbers as `runc kill` takes them: "KILL", "SIGKILL", "9" (design.md §3 item 6: strict).</summary>
public static class Signals
{
    public static int Parse(string text)
    {
        if (SignalNames.TryParse(text, out int n)) return n;
        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
            throw new ArgumentException($"invalid signal \"{text}\": must be a number from 1 to 64 or a name such as KILL or SIGTERM");
        throw new ArgumentException($"invalid signal \"{text}\": unknown signal name");
    }
}
