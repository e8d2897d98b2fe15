using System.Text;

namespace Carton.Compute.Windows.Translation;

/// <summary>Joins an argument list into one Windows command line that CommandLineToArgvW (and the C runtime's argv
/// parser) splits back into the same list. hcsshim does the same with Go's windows.EscapeArg joined by spaces; the rules
/// (learn.microsoft.com, "Parsing C++ command-line arguments") are: space and tab separate arguments; an argument
/// containing them (or empty) is wrapped in double quotes; a double quote inside is written \"; backslashes are literal
/// except right before a double quote, where each is doubled — including the closing quote we add.</summary>
public static class WindowsCommandLine
{
    /// <summary>The command line for <paramref name="args"/>.</summary>
    /// <param name="args">The arguments, the program first.</param>
    public static string Join(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));

    /// <summary>One argument as the parser reads it back unchanged.</summary>
    /// <param name="arg">The argument.</param>
    public static string Quote(string arg)
    {
        if (arg.Length == 0)
            return "\"\"";
        bool needsQuotes = arg.AsSpan().IndexOfAny(' ', '\t') >= 0;
        if (!needsQuotes && arg.AsSpan().IndexOf('"') < 0)
            return arg; // nothing the parser would change: backslashes alone are literal
        var sb = new StringBuilder(arg.Length + 8);
        if (needsQuotes)
            sb.Append('"');
        int backslashes = 0;
        foreach (char c in arg)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }
            if (c == '"')
            {
                // 2n backslashes then \" : n literal backslashes and a literal quote
                sb.Append('\\', backslashes * 2 + 1).Append('"');
            }
            else
            {
                sb.Append('\\', backslashes).Append(c);
            }
            backslashes = 0;
        }
        // before our closing quote the trailing backslashes are doubled; without one they stay literal
        sb.Append('\\', needsQuotes ? backslashes * 2 : backslashes);
        if (needsQuotes)
            sb.Append('"');
        return sb.ToString();
    }
}
