using System.CommandLine;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>`carton kill` (runc-kill(8)): signal by name or number, default SIGTERM; --all signals every process of the cgroup.</summary>
public static class KillCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var signal = new Argument<string>("signal") { DefaultValueFactory = _ => "SIGTERM" };
        var all = new Option<bool>("--all", "-a") { Description = "send the signal to all processes in the container" };
        var cmd = new Command("kill", "kill sends the specified signal (default: SIGTERM) to the container's init process") { id, signal, all };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            life.Kill(parse.GetValue(id)!, Signals.Parse(parse.GetValue(signal) ?? "SIGTERM"), parse.GetValue(all));
            return 0;
        }));
        return cmd;
    }
}
