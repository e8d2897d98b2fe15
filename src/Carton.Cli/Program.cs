using System.CommandLine;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>
/// The `carton` binary: runc's command line (../shared/reference/runc-cli) over Carton.Runtime. Thin: parse, call,
/// print. `carton init` is dispatched before any parsing: it is the container's init, started by `create`.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "init") return ContainerInit.Run();
        if (args.Length > 0 && args[0] == "system") return ServeCommand.ExecSibling("system", "carton-system");
        if (args.Length > 0 && args[0] == "image") return ServeCommand.ExecSibling("image", "carton-image");
        if (args.Length > 0 && args[0] == "network") return ServeCommand.ExecSibling("network", "carton-system", keepName: true);

        args = ArgvCompat.Normalize(args);
        var root = new RootCommand("carton: an OCI container runtime, CLI-compatible with runc");
        root.Options.Add(GlobalOptions.Root);
        root.Options.Add(GlobalOptions.Log);
        root.Options.Add(GlobalOptions.LogFormat);
        root.Options.Add(GlobalOptions.Debug);
        root.Options.Add(GlobalOptions.SystemdCgroup);
        root.Options.Add(GlobalOptions.Rootless);
        root.Options.Add(GlobalOptions.Criu);
        foreach (var c in new[]
                 {
                     SpecCommand.Build(), FeaturesCommand.Build(), CreateCommand.Build(), StartCommand.Build(),
                     RunCommand.Build(), StateCommand.Build(), KillCommand.Build(), DeleteCommand.Build(), ListCommand.Build(),
                     PauseCommand.BuildPause(), PauseCommand.BuildResume(), PsCommand.Build(), UpdateCommand.Build(), EventsCommand.Build(), ExecCommand.Build(),
                     ServeCommand.Build(), ServeCommand.BuildSystem(), ServeCommand.BuildImage(), ServeCommand.BuildNetwork(), DebugCommand.Build(),
                 })
            root.Subcommands.Add(c);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine(e.Message);
            return 1;
        }
        return parse.Invoke();
    }
}
