namespace Carton.SystemCli;

public static class NetworkListCommand
{
    public static Command Build()
    {
        var format = new Option<string>("--format", "-f") { Description = "select one of: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "display only network ids" };
        var cmd = new Command("ls", "list the networks") { format, quiet };
        cmd.Aliases.Add("list");
        cmd.SetAction(parse => NetworkCommand.Run(parse, async client =>
        {
            var list = (await client.ListNetworksAsync()).ToList();
            return ListOutput.Write(list, parse.GetValue(quiet), parse.GetValue(format), n => NetworkCommand.ShortId(n.Id),
                () => JsonSerializer.Serialize(list, NetworkJsonContext.Default.ListNetworkInfo),
                Header, Row);
        }));
        return cmd;
    }

    /// <summary>The table's columns.</summary>
    public static readonly string[] Header = ["NETWORK ID", "NAME", "DRIVER", "SUBNET", "GATEWAY", "INTERNAL", "ENDPOINTS"];

    /// <summary>A network's row.</summary>
    public static string[] Row(NetworkInfo n) =>
    [
        NetworkCommand.ShortId(n.Id), n.Name, n.Driver, n.Subnet ?? "", n.Gateway ?? "", n.Internal ? "true" : "false",
        ListOutput.Number(n.Endpoints.Count),
    ];
}
