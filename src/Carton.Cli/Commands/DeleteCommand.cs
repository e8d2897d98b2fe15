using System.CommandLine;

namespace Carton.Cli;

/// <summary>`carton delete` (runc-delete(8)).</summary>
public static class DeleteCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var force = new Option<bool>("--force", "-f") { Description = "forcibly delete the container if it is still running (uses SIGKILL)" };
        var cmd = new Command("delete", "delete any resources held by the container") { id, force };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            life.Delete(parse.GetValue(id)!, parse.GetValue(force));
            return 0;
        }));
        return cmd;
    }
}
