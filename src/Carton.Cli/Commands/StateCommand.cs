using System.CommandLine;
using System.Text.Json;
using Carton.Oci;

namespace Carton.Cli;

/// <summary>`carton state` (runc-state(8)): the state as JSON.</summary>
public static class StateCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var cmd = new Command("state", "output the state of a container") { id };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var state = life.State(parse.GetValue(id)!);
            Console.Out.WriteLine(JsonSerializer.Serialize(state, OciJsonContext.Default.RuncStateOutput));
            return 0;
        }));
        return cmd;
    }
}
