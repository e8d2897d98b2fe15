using System.CommandLine;

namespace Carton.Cli;

/// <summary>`carton start` (runc-start(8)).</summary>
public static class StartCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var cmd = new Command("start", "executes the user defined process in a created container") { id };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            life.Start(parse.GetValue(id)!);
            return 0;
        }));
        return cmd;
    }
}
