using Carton.Oci;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Carton.Linux.Cgroups.Stats;

namespace Carton.Cli;

/// <summary>
/// `carton events` (runc-events(8)): with --stats one stats event; otherwise a stream of JSON lines, a stats event
/// every --interval and an "oom" event whenever the kernel OOM-kills a process of the container, until it stops.
/// </summary>
public static class EventsCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var stats = new Option<bool>("--stats") { Description = "display the container's stats then exit" };
        var interval = new Option<string>("--interval") { Description = "set the stats collection interval", DefaultValueFactory = _ => "5s" };
        var cmd = new Command("events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics") { id, stats, interval };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var containerId = parse.GetValue(id)!;
            if (parse.GetValue(stats))
            {
                Print(CgroupEvent.Stats(containerId, life.Stats(containerId)));
                return 0;
            }
            var period = ParseDuration(parse.GetValue(interval) ?? "5s");
            using var watcher = life.WatchOom(containerId);
            var next = DateTime.UtcNow;
            while (true)
            {
                if (DateTime.UtcNow >= next)
                {
                    if (life.IsStopped(containerId)) return 0;
                    Print(CgroupEvent.Stats(containerId, life.Stats(containerId)));
                    next = DateTime.UtcNow + period;
                }
                var wait = next - DateTime.UtcNow;
                switch (watcher.Wait(wait < TimeSpan.Zero ? TimeSpan.Zero : wait))
                {
                    case OomWatchResult.Oom: Print(CgroupEvent.Oom(containerId)); break;
                    case OomWatchResult.Exited: return 0;
                }
            }
        }));
        return cmd;
    }

    private static void Print(CgroupEvent e)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(e, CgroupStatsJsonContext.Default.CgroupEvent));
        Console.Out.Flush();
    }

    /// <summary>Go's time.ParseDuration for the units runc users write: "5s", "500ms", "1m30s", "2h".</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var total = TimeSpan.Zero;
        int i = 0;
        if (text.Length == 0) throw new ArgumentException("--interval: empty duration");
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i) throw new ArgumentException($"--interval: invalid duration \"{text}\"");
            var number = double.Parse(text[start..i], CultureInfo.InvariantCulture);
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
            total += text[unitStart..i] switch
            {
                "ns" => TimeSpan.FromTicks((long)(number / 100)),
                "us" or "µs" => TimeSpan.FromMicroseconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                var u => throw new ArgumentException($"--interval: unknown unit \"{u}\" in duration \"{text}\""),
            };
        }
        if (total <= TimeSpan.Zero) throw new ArgumentException($"--interval: duration must be positive: \"{text}\"");
        return total;
    }
}
