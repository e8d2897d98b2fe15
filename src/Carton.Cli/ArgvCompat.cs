namespace Carton.Cli;

/// <summary>
/// Command-line details where runc (urfave/cli) and System.CommandLine differ. For `exec`, runc stops parsing its
/// own flags at the container id: in `carton exec ID sh -c 'echo'`, "-c" belongs to sh, not to --cap. A "--" is
/// inserted after the id so that System.CommandLine sees the same thing.
/// </summary>
public static class ArgvCompat
{
    private static readonly HashSet<string> GlobalValueOptions = ["--root", "--log", "--log-format", "--criu", "--rootless"];
    private static readonly HashSet<string> ExecValueOptions =
    [
        "--console-socket", "--cwd", "--env", "-e", "--user", "-u", "--additional-gids", "-g", "--process", "-p",
        "--pid-file", "--process-label", "--apparmor", "--cap", "-c", "--preserve-fds",
    ];

    public static string[] Normalize(string[] args)
    {
        int i = 0;
        while (i < args.Length && args[i].StartsWith('-'))
            i += GlobalValueOptions.Contains(args[i]) ? 2 : 1;
        if (i >= args.Length || args[i] != "exec") return args;
        for (int j = i + 1; j < args.Length; j++)
        {
            var a = args[j];
            if (a == "--") return args;
            if (a.StartsWith('-'))
            {
                if (ExecValueOptions.Contains(a) || GlobalValueOptions.Contains(a)) j++;
                continue;
            }
            if (j + 1 < args.Length && args[j + 1] == "--") return args;
            return [.. args[..(j + 1)], "--", .. args[(j + 1)..]];
        }
        return args;
    }
}
