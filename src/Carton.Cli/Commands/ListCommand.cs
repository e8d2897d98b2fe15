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
            Console.Out.Write(TextTable.Tabulate(rows));
            return 0;
        }));
        return cmd;
    }
}
