namespace Carton.SystemCli;

public static class SystemListCommand
{
    public static Command Build()
    {
        var format = new Option<string>("--format", "-f") { Description = "select one of: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "display only ids" };
        var cmd = new Command("ls", "list the compute systems") { format, quiet };
        cmd.Aliases.Add("list");
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            var list = new List<ComputeSystemSummary>();
            await foreach (var s in client.EnumerateComputeSystemsAsync()) list.Add(s);
            return ListOutput.Write(list, parse.GetValue(quiet), parse.GetValue(format), s => s.Id,
                () => JsonSerializer.Serialize(list, ComputeJsonContext.Default.ListComputeSystemSummary),
                ["ID", "PID", "STATUS", "EXIT", "CREATED", "OWNER"],
                s => [s.Id, ListOutput.Number(s.Pid), s.State, s.ExitCode is int c ? ListOutput.Number(c) : "", Rfc3339NanoConverter.Format(s.Created), s.Owner]);
        }));
        return cmd;
    }
}
