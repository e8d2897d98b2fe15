using Carton.Linux.ProcessSetup;
using Carton.Oci;

namespace Carton.Compute.Linux;

/// <summary>The cgroup statistics (runc's shape) and the init's network namespace counters as the contract's portable
/// <see cref="ComputeStatistics"/>, with the cgroup statistics kept whole as its Linux part.</summary>
internal static class StatisticsMapping
{
    public static ComputeStatistics From(CgroupStats cgroup, int initPid)
    {
        var s = new ComputeStatistics { Linux = cgroup };
        var cpu = cgroup.Cpu.Usage;
        s.Processor.TotalRuntime100ns = cpu.Total / 100;
        s.Processor.RuntimeUser100ns = cpu.User / 100;
        s.Processor.RuntimeKernel100ns = cpu.Kernel / 100;

        var mem = cgroup.Memory;
        s.Memory.MemoryUsageCommitBytes = mem.Usage.Usage;
        s.Memory.MemoryUsageCommitPeakBytes = mem.Usage.Max;
        // The working set as cAdvisor and kubelet count it: usage less inactive file cache (v1 "total_inactive_file").
        ulong inactive = 0;
        if (mem.Raw is { } raw && (raw.TryGetValue("total_inactive_file", out inactive) || raw.TryGetValue("inactive_file", out inactive))) { }
        s.Memory.MemoryUsagePrivateWorkingSetBytes = mem.Usage.Usage > inactive ? mem.Usage.Usage - inactive : 0;
        s.Memory.LimitBytes = mem.Usage.Limit is 0 or ulong.MaxValue || mem.Usage.Limit >= long.MaxValue / 4096 * 4096 ? null : mem.Usage.Limit;

        s.Processes.Current = cgroup.Pids.Current;
        s.Processes.Limit = cgroup.Pids.Limit == 0 ? null : cgroup.Pids.Limit;

        // Recursive io_service_bytes/io_serviced (v1) or io.stat (v2, already folded into these lists), summed over devices.
        foreach (var e in cgroup.Blkio.IoServiceBytesRecursive ?? [])
        {
            if (e.Op == "Read") s.Storage.ReadSizeBytes += e.Value;
            else if (e.Op == "Write") s.Storage.WriteSizeBytes += e.Value;
        }
        foreach (var e in cgroup.Blkio.IoServicedRecursive ?? [])
        {
            if (e.Op == "Read") s.Storage.ReadCountNormalized += e.Value;
            else if (e.Op == "Write") s.Storage.WriteCountNormalized += e.Value;
        }

        foreach (var n in initPid > 0 ? NetworkCounters.Read(initPid) : [])
            s.Network.Add(new NetworkStatistics
            {
                EndpointId = n.Name, BytesReceived = n.RxBytes, BytesSent = n.TxBytes, PacketsReceived = n.RxPackets,
                PacketsSent = n.TxPackets, DroppedPacketsIncoming = n.RxDropped, DroppedPacketsOutgoing = n.TxDropped,
            });
        return s;
    }
}
