namespace Carton.SystemCli;

/// <summary>`carton-system ARGS` (normally reached as `carton system ARGS`): compute systems through carton serve;
/// `carton-system network ARGS` (reached as `carton network ARGS`): its networks.</summary>
public static class SystemProgram
{
    public static int Main(string[] args)
    {
        // `carton network` execs carton-system with `network` first: the network tree is the root then
        bool network = args.Length > 0 && args[0] == "network";
        if (network) args = args[1..];
        // the commands hang directly under the root (a command with two parents finds no --help)
        var root = new RootCommand(network ? NetworkCommand.Description : SystemCommand.Description) { SystemCommand.Socket };
        foreach (var c in network ? NetworkCommand.Commands() : SystemCommand.Commands()) root.Subcommands.Add(c);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine(e.Message);
            return 1;
        }
        return parse.Invoke();
    }
}
