using System.Globalization;
using Carton.Oci;

namespace Carton.Linux.ProcessSetup;

/// <summary>Per-interface counters of the network namespace a process is in, from /proc/PID/net/dev (the kernel's
/// per-namespace view; no setns needed).</summary>
public static class NetworkCounters
{
    /// <summary>One entry per interface, in the file's order; empty when the process is gone.</summary>
    public static List<NetworkInterfaceStats> Read(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/net/dev"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        return Parse(text);
    }

    /// <summary>The /proc/net/dev format: two header lines, then "name: rx bytes packets errs drop fifo frame compressed
    /// multicast tx bytes packets errs drop fifo colls carrier compressed".</summary>
    public static List<NetworkInterfaceStats> Parse(string text)
    {
        var list = new List<NetworkInterfaceStats>();
        foreach (var line in text.Split('\n').Skip(2))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 16) continue;
            ulong N(int i) => ulong.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
            list.Add(new NetworkInterfaceStats
            {
                Name = line[..colon].Trim(),
                RxBytes = N(0), RxPackets = N(1), RxErrors = N(2), RxDropped = N(3),
                TxBytes = N(8), TxPackets = N(9), TxErrors = N(10), TxDropped = N(11),
            });
        }
        return list;
    }
}
