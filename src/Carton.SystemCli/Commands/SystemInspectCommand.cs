namespace Carton.SystemCli;

public static class SystemInspectCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("inspect", "print a compute system's properties (state, processes, statistics) as JSON") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            var properties = await system.GetPropertiesAsync();
            Console.Out.WriteLine(JsonSerializer.Serialize(properties, SystemCommand.Indented.ComputeSystemProperties));
            return 0;
        }));
        return cmd;
    }
}
