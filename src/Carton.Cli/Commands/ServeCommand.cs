using System.CommandLine;
using System.Runtime.InteropServices;

namespace Carton.Cli;

/// <summary>
/// `carton serve [ARGS]` execs carton-serve (the compute service daemon) and `carton system ARGS` execs carton-system
/// (its client), from carton's own directory with the same arguments; `carton network ARGS` execs
/// `carton-system network ARGS` (the network commands live in the same client binary). They are binaries of their
/// own so that the HTTP stacks stay out of `carton`, whose size every container start pays for.
/// </summary>
public static class ServeCommand
{
    public static Command Build() => Sibling("serve", "carton-serve", "run the compute service daemon (carton-serve): HTTP/JSON on a Unix socket, see carton-serve --help");

    public static Command BuildSystem() => Sibling("system", "carton-system", "manage compute systems through the compute service (create, start, ls, inspect, stats, exec, stop, rm)");

    public static Command BuildImage() => Sibling("image", "carton-image", "manage images (pull, push, ls, inspect, rm, import, unpack)");

    public static Command BuildNetwork() => Sibling("network", "carton-system", "manage networks through the compute service (create, ls, inspect, rm)", keepName: true);

    private static Command Sibling(string name, string binary, string description, bool keepName = false)
    {
        var cmd = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        cmd.SetAction(_ => Exec(name, binary, keepName));
        return cmd;
    }

    /// <summary>For `carton system` the arguments are taken before parsing (see Program.Main): its subcommands have
    /// options carton does not know. <paramref name="keepName"/> passes <paramref name="name"/> on as the sibling's
    /// first argument (`carton network ls` is `carton-system network ls`).</summary>
    public static int ExecSibling(string name, string binary, bool keepName = false) => Exec(name, binary, keepName);

    private static int Exec(string name, string binary, bool keepName)
    {
        var self = Environment.ProcessPath ?? "/proc/self/exe";
        var dir = Path.GetDirectoryName(Path.GetFullPath(self)) ?? ".";
        var daemon = Path.Combine(dir, binary);
        if (!File.Exists(daemon))
        {
            Console.Error.WriteLine($"carton {name}: {daemon} does not exist: install {binary} next to carton (scripts/build.sh publishes it)");
            return 1;
        }
        // The daemon's arguments are everything after "serve", as typed: global flags such as --root mean the
        // daemon's own options there, so they are taken from the raw command line, not from the parse.
        var raw = Environment.GetCommandLineArgs();
        int at = Array.IndexOf(raw, name, 1);
        var argv = new List<string> { daemon };
        if (keepName) argv.Add(name);
        for (int i = at + 1; i < raw.Length; i++) argv.Add(raw[i]);
        int errno = Linux.Processes.ProcessImage.Replace(daemon, argv);
        Console.Error.WriteLine($"carton {name}: exec {daemon}: {Marshal.GetPInvokeErrorMessage(errno)}");
        return 1;
    }

}
