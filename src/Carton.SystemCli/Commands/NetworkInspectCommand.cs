namespace Carton.SystemCli;

public static class NetworkInspectCommand
{
    public static Command Build()
    {
        var names = new Argument<string[]>("name") { Description = "networks by name, id or unique id prefix", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("inspect", "print networks as a JSON array (those not found are reported on stderr, and the exit is 1)") { names };
        cmd.SetAction(parse => NetworkCommand.Run(parse, async client =>
        {
            var found = new List<NetworkInfo>();
            int exit = 0;
            foreach (var name in parse.GetValue(names)!)
            {
                try
                {
                    found.Add(await client.InspectNetworkAsync(name));
                }
                catch (CartonException e) when (e.Kind != ErrorKind.Unavailable)
                {
                    NetworkCommand.Report(parse, e);
                    exit = NetworkCommand.ExitCode(e);
                }
            }
            Console.Out.WriteLine(JsonSerializer.Serialize(found, NetworkJsonContext.Default.ListNetworkInfo));
            return exit;
        }));
        return cmd;
    }
}
