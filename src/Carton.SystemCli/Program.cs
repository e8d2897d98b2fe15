namespace Carton.SystemCli;

/// <summary>`carton-system ARGS` (normally reached as `carton system ARGS`): compute systems through carton serve;
/// `carton-system network ARGS` (reached as `carton network ARGS`): its networks.</summary>
public static class SystemProgram
{
    public static int Main(string[] args)
    {
        // `carton network` execs carton-system with `network` first: the network tree is the root then
        // (`carton-system --socket S network ...` too: the socket option may come first)
        int at = args.Length > 0 && args[0] == "network" ? 0
            : args.Length > 2 && args[0] == "--socket" && args[2] == "network" ? 2
            : args.Length > 1 && args[0].StartsWith("--socket=", StringComparison.Ordinal) && args[1] == "network" ? 1 : -1;
        bool network = at >= 0;
        if (network) args = [.. args[..at], .. args[(at + 1)..]];
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
