namespace Carton.SystemCli;

public static class SystemStartCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("start", "start a created compute system") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            await system.StartAsync();
            return 0;
        }));
        return cmd;
    }
}
