using System.CommandLine;

namespace Carton.Cli;

/// <summary>`carton pause` and `carton resume` (runc-pause(8), runc-resume(8)).</summary>
public static class PauseCommand
{
    public static Command BuildPause()
    {
        var id = new Argument<string>("container-id");
        var cmd = new Command("pause", "pause suspends all processes inside the container") { id };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life => { life.Pause(parse.GetValue(id)!); return 0; }));
        return cmd;
    }

    public static Command BuildResume()
    {
        var id = new Argument<string>("container-id");
        var cmd = new Command("resume", "resumes all processes that have been previously paused") { id };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life => { life.Resume(parse.GetValue(id)!); return 0; }));
        return cmd;
    }
}
