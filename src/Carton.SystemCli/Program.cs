namespace Carton.SystemCli;

/// <summary>`carton-system ARGS` (normally reached as `carton system ARGS`): compute systems through carton serve.</summary>
public static class SystemProgram
{
    public static int Main(string[] args)
    {
        var system = SystemCommand.Build();
        var root = new RootCommand(system.Description ?? "") { SystemCommand.Socket };
        foreach (var c in system.Subcommands) root.Subcommands.Add(c);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine(e.Message);
            return 1;
        }
        return parse.Invoke();
    }
}
