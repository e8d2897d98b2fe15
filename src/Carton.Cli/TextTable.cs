using System.Text;

namespace Carton.Cli;

/// <summary>Table output as runc's `list` lays it out (also compiled into carton-system).</summary>
public static class TextTable
{
    /// <summary>Go's tabwriter with minwidth 12, padding 3, as runc configures it.</summary>
    public static string Tabulate(List<string[]> rows)
    {
        int cols = rows[0].Length;
        var widths = new int[cols];
        foreach (var r in rows)
            for (int c = 0; c < cols - 1; c++)
                widths[c] = Math.Max(widths[c], Math.Max(12, r[c].Length + 3));
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            for (int c = 0; c < cols - 1; c++) sb.Append(r[c].PadRight(widths[c]));
            sb.Append(r[cols - 1]).Append('\n');
        }
        return sb.ToString();
    }
}
