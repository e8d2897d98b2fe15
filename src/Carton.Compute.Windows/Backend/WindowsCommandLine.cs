using System.Text;

namespace Carton.Compute.Windows;

/// <summary>An argv as one Windows command line, quoted so that CommandLineToArgvW (and the C runtime) split it back
/// into the same arguments: HCS's ProcessParameters takes a CommandLine for Windows containers, as hcsshim builds it
/// from the OCI args (internal/hcsoci, escapeArgs). The rules are Microsoft's "Parsing C command-line arguments":
/// backslashes are literal unless they precede a double quote.</summary>
public static class WindowsCommandLine
{
    /// <summary>The command line for <paramref name="args"/>.</summary>
    public static string Join(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var sb = new StringBuilder();
        foreach (var arg in args)
        {
            if (sb.Length > 0) sb.Append(' ');
            Append(sb, arg);
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string arg)
    {
        if (arg.Length > 0 && arg.IndexOfAny([' ', '\t', '\n', '\v', '"']) < 0)
        {
            sb.Append(arg);
            return;
        }
        sb.Append('"');
        var backslashes = 0;
        foreach (var c in arg)
        {
            if (c == '\\') { backslashes++; continue; }
            // Backslashes before a quote are doubled, and the quote escaped; elsewhere they stand as they are.
            sb.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
            backslashes = 0;
            sb.Append(c);
        }
        // Backslashes before the closing quote are doubled so that it stays a closing quote.
        sb.Append('\\', backslashes * 2);
        sb.Append('"');
    }
}
