using System.Globalization;

namespace Carton.Cli;

/// <summary>The three shapes of a `list` (runc-list(8)): ids only (-q), JSON (--format json), or runc's table with
/// the creation time in RFC 3339. Shared by `carton list` and `carton system ls` (compiled into carton-system too).</summary>
public static class ListOutput
{
    /// <summary>Writes <paramref name="items"/> as <paramref name="quiet"/> / <paramref name="format"/> ask.</summary>
    /// <param name="items">What to list.</param>
    /// <param name="quiet">Ids only, one a line.</param>
    /// <param name="format">"json" or "table".</param>
    /// <param name="id">An item's id.</param>
    /// <param name="json">The whole list as JSON.</param>
    /// <param name="header">The table's header row.</param>
    /// <param name="row">An item's table row.</param>
    public static int Write<T>(IReadOnlyList<T> items, bool quiet, string? format, Func<T, string> id, Func<string> json,
        string[] header, Func<T, string[]> row)
    {
        if (quiet)
        {
            foreach (var item in items) Console.Out.WriteLine(id(item));
            return 0;
        }
        if (format == "json")
        {
            Console.Out.WriteLine(json());
            return 0;
        }
        var rows = new List<string[]> { header };
        foreach (var item in items) rows.Add(row(item));
        Console.Out.Write(TextTable.Tabulate(rows));
        return 0;
    }

    /// <summary>A number as the table prints it.</summary>
    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
