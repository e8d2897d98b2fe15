using System.Text;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>Minimal LCS line diff used in assertion messages ("-" expected/reference, "+" actual).</summary>
public static class LineDiff
{
    public static string? Diff(string expectedLabel, string expected, string actualLabel, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        if (a.SequenceEqual(b))
        {
            return null;
        }
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var sb = new StringBuilder($"--- {expectedLabel}\n+++ {actualLabel}\n");
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                sb.Append("  ").AppendLine(a[x]);
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                sb.Append("+ ").AppendLine(b[y++]);
            }
            else
            {
                sb.Append("- ").AppendLine(a[x++]);
            }
        }
        return sb.ToString();
    }
}
