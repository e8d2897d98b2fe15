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
            return ListOutput.Write(list, parse.GetValue(quiet), parse.GetValue(format), s => s.Id,
                () => JsonSerializer.Serialize(list, OciJsonContext.Compact.ListRuncStateOutput),
                ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"],
                s => [s.Id, ListOutput.Number(s.Pid), s.Status, s.Bundle, Rfc3339NanoConverter.Format(s.Created), s.Owner]);
        }));
        return cmd;
    }
}
