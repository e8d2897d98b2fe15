namespace Carton.SystemCli;

public static class NetworkRemoveCommand
{
    public static Command Build()
    {
        var names = new Argument<string[]>("name") { Description = "networks by name, id or unique id prefix", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("rm", "delete networks that have no endpoints; prints each name removed (a failure is reported, the others are still tried, and the exit is 1)") { names };
        cmd.Aliases.Add("remove");
        cmd.SetAction(parse => NetworkCommand.Run(parse, async client =>
        {
            int exit = 0;
            foreach (var name in parse.GetValue(names)!)
            {
                try
                {
                    await client.DeleteNetworkAsync(name);
                    Console.Out.WriteLine(name);
                }
                catch (CartonException e) when (e.Kind != ErrorKind.Unavailable)
                {
                    NetworkCommand.Report(parse, e);
                    exit = NetworkCommand.ExitCode(e);
                }
            }
            return exit;
        }));
        return cmd;
    }
}
