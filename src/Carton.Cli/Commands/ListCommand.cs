using System.CommandLine;
using System.Text;
using System.Text.Json;
using Carton.Oci;

namespace Carton.Cli;

/// <summary>`carton list` (runc-list(8)): table (as runc's tabwriter lays it out), json, or ids only.</summary>
public static class ListCommand
{
    public static Command Build()
    {
        var format = new Option<string>("--format", "-f") { Description = "select one of: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "display only container IDs" };
        var cmd = new Command("list", "lists containers started by carton with the given root") { format, quiet };
        cmd.Aliases.Add("ps-list");
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var list = life.List();
            if (parse.GetValue(quiet))
            {
                foreach (var s in list) Console.Out.WriteLine(s.Id);
                return 0;
            }
            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(list, OciJsonCompactContext.Default.ListRuncStateOutput));
                return 0;
            }
            var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
            foreach (var s in list)
                rows.Add([s.Id, s.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Status, s.Bundle,
                    Rfc3339NanoConverter.Format(s.Created), s.Owner]);
            Console.Out.Write(Tabulate(rows));
            return 0;
        }));
        return cmd;
    }

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
