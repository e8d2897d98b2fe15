namespace Carton.SystemCli;

public static class SystemStopCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var timeout = new Option<int>("--timeout", "-t") { Description = "seconds between SIGTERM and SIGKILL", DefaultValueFactory = _ => 10 };
        var cmd = new Command("stop", "stop a compute system: SIGTERM to its init, SIGKILL to every process after the timeout") { id, timeout };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            await system.ShutdownAsync(TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(timeout))));
            return 0;
        }));
        return cmd;
    }
}
