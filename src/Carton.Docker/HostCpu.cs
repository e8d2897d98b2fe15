using System.Globalization;

namespace Carton.Docker;

/// <summary>The host's figures that stats frames carry beside the container's: the CPU time of the whole host (what
/// the CLI divides the container's CPU time by) and its memory (the limit shown when the container has none), read
/// from /proc as dockerd does (daemon/stats/collector_unix.go); 0 where /proc is not there.</summary>
internal static class HostCpu
{
    /// <summary>USER_HZ: the unit of /proc/stat on every Linux architecture Carton runs on.</summary>
    private const ulong ClockTicks = 100;

    /// <summary>The sum of /proc/stat's first "cpu" line (user nice system idle iowait irq softirq steal), in ns.</summary>
    public static ulong SystemUsageNanoseconds()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (!line.StartsWith("cpu ", StringComparison.Ordinal)) continue;
                ulong ticks = 0;
                // dockerd sums the first seven fields (guest time is already counted in user)
                foreach (var f in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7))
                    ticks += ulong.Parse(f, CultureInfo.InvariantCulture);
                return ticks * (1_000_000_000 / ClockTicks);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException) { }
        return 0;
    }

    /// <summary>/proc/meminfo's MemTotal in bytes.</summary>
    public static ulong MemoryTotal()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return ulong.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or IndexOutOfRangeException) { }
        return 0;
    }
}
