namespace Carton.SystemCli;

public static class SystemRemoveCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("rm", "delete a compute system (killing it if it still runs)") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            await system.DeleteAsync();
            return 0;
        }));
        return cmd;
    }
}
