using System.Text;
using Carton.Compute.Windows.Translation;

namespace Carton.Compute.Windows.Tests.Translation;

/// <summary>The quoting checked two ways: exact strings written by hand, and a round trip through a parser written
/// from Microsoft's "Parsing C++ command-line arguments" rules (independent of the quoting code).</summary>
public class WindowsCommandLineTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "\"\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData(@"C:\dir\file", @"C:\dir\file")]
    [InlineData(@"C:\my dir\", "\"C:\\my dir\\\\\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("x\"y", "x\\\"y")]
    [InlineData("a\\\\\"b", "a\\\\\\\\\\\"b")]
    public void Quote(string arg, string expected) => Assert.Equal(expected, WindowsCommandLine.Quote(arg));

    public static TheoryData<string[]> Lists => new()
    {
        new[] { "app.exe", "a b", "", "\"", "\\", "\\\\\"", "end\\", "in side\\\\", "\t", "mixed \"q\" \\ \\\"" },
        new[] { "x", "\\\\server\\share\\", "a\\\"b\\\\c\" d", "  ", "\"\"" },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public void Parses_back_to_the_same_arguments(string[] args)
    {
        Assert.Equal(args, Parse(WindowsCommandLine.Join(args)));
    }

    /// <summary>The documented rules: whitespace separates outside quotes; 2n backslashes before a quote are n
    /// backslashes and the quote toggles quoting; 2n+1 are n backslashes and a literal quote; other backslashes are
    /// literal. (Applied to every argument, the program included, which is how Join writes it.)</summary>
    private static List<string> Parse(string line)
    {
        var args = new List<string>();
        var cur = new StringBuilder();
        bool inQuotes = false, inArg = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (!inQuotes && (c == ' ' || c == '\t'))
            {
                if (inArg) { args.Add(cur.ToString()); cur.Clear(); inArg = false; }
                continue;
            }
            inArg = true;
            if (c == '\\')
            {
                int n = 0;
                while (i < line.Length && line[i] == '\\') { n++; i++; }
                if (i < line.Length && line[i] == '"')
                {
                    cur.Append('\\', n / 2);
                    if (n % 2 == 1) cur.Append('"');
                    else inQuotes = !inQuotes;
                }
                else
                {
                    cur.Append('\\', n);
                    i--;
                }
                continue;
            }
            if (c == '"') { inQuotes = !inQuotes; continue; }
            cur.Append(c);
        }
        if (inArg) args.Add(cur.ToString());
        return args;
    }
}
