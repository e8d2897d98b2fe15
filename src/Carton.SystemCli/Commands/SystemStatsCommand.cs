namespace Carton.SystemCli;

public static class SystemStatsCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("stats", "print a running compute system's statistics (runc `events --stats` shape)") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            var properties = await system.GetPropertiesAsync();
            if (properties.Statistics is null)
                throw new IOException($"compute system \"{system.Id}\" is {properties.Summary.State}: no statistics");
            // The Linux part is runc's `events --stats` shape, which this command has always printed; a backend
            // without one (Windows) gets the portable figures.
            Console.Out.WriteLine(properties.Statistics.Linux is { } linux
                ? JsonSerializer.Serialize(linux, SystemCommand.Indented.CgroupStats)
                : JsonSerializer.Serialize(properties.Statistics, SystemCommand.Indented.ComputeStatistics));
            return 0;
        }));
        return cmd;
    }
}
