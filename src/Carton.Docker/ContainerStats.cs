using System.Globalization;
using Carton.Compute;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// GET /containers/{id}/stats?stream&amp;one-shot: Docker's stats frames from the compute system's Statistics (the
/// cgroup figures, v1 or v2, as runc reports them, and the counters of the interfaces in its network namespace),
/// with the host's CPU time from /proc/stat. As dockerd (daemon/stats.go): stream=true (the default) writes a frame
/// a second until the client leaves; stream=false takes two samples a second apart and answers the second, so that
/// precpu_stats is filled (`docker stats --no-stream` computes CPU % from it); one-shot=true answers the first alone.
/// A container that is not running gives frames of zeros.
/// </summary>
internal static class ContainerStats
{
    public static async Task Handle(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(ContainerEndpoints.Id(ctx));
        bool stream = Query.String(ctx, "stream") is not { Length: > 0 } || Query.Bool(ctx, "stream");
        bool oneShot = Query.Bool(ctx, "one-shot");
        var ct = ctx.RequestAborted;
        await using var system = await containers.SystemAsync(record, ct);
        var previous = await SampleAsync(system, record, ct);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        if (!stream && oneShot)
        {
            await DockerJson.WriteAsync(ctx, previous, DockerJsonContext.Wire.ContainerStatsResponse);
            return;
        }
        while (true)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(1), ct); }
            catch (OperationCanceledException) { return; }
            ContainerStatsResponse next;
            try { next = await SampleAsync(system, record, ct); }
            catch (ComputeSystemNotFoundException) { return; }
            catch (OperationCanceledException) { return; }
            next.Preread = previous.Read;
            next.PrecpuStats = previous.CpuStats;
            previous = next;
            if (!stream)
            {
                await DockerJson.WriteAsync(ctx, next, DockerJsonContext.Wire.ContainerStatsResponse);
                return;
            }
            try
            {
                await DockerJson.WriteLineAsync(ctx.Response.Body, next, DockerJsonContext.Wire.ContainerStatsResponse, "\n", ct);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException) { return; }
        }
    }

    private static async Task<ContainerStatsResponse> SampleAsync(IComputeSystem system, ContainerRecord record, CancellationToken ct)
    {
        var props = await system.GetPropertiesAsync(ct);
        var frame = new ContainerStatsResponse { Name = record.Name, Id = record.Id };
        if (props.Statistics is not { } s) return frame;
        frame.Read = ContainerViews.Time(s.Timestamp == default ? DateTime.UtcNow : s.Timestamp);
        var cpu = frame.CpuStats;
        cpu.SystemCpuUsage = HostCpu.SystemUsageNanoseconds();
        cpu.OnlineCpus = (uint)Environment.ProcessorCount;
        if (s.Linux is { } linux)
        {
            cpu.CpuUsage = new StatsCpuUsage
            {
                TotalUsage = linux.Cpu.Usage.Total, PercpuUsage = linux.Cpu.Usage.Percpu is { Count: > 0 } p ? p : null,
                UsageInKernelmode = linux.Cpu.Usage.Kernel, UsageInUsermode = linux.Cpu.Usage.User,
            };
            cpu.ThrottlingData = new StatsThrottling
            {
                Periods = linux.Cpu.Throttling.Periods, ThrottledPeriods = linux.Cpu.Throttling.ThrottledPeriods, ThrottledTime = linux.Cpu.Throttling.ThrottledTime,
            };
            var mem = linux.Memory;
            frame.MemoryStats = new StatsMemory
            {
                Usage = mem.Usage.Usage, MaxUsage = mem.Usage.Max, Failcnt = mem.Usage.Failcnt,
                Stats = mem.Raw is { Count: > 0 } raw ? new Dictionary<string, ulong>(raw) : [],
                Limit = Math.Min(mem.Usage.Limit is 0 ? ulong.MaxValue : mem.Usage.Limit, HostCpu.MemoryTotal() is > 0 and var total ? total : ulong.MaxValue),
            };
            frame.PidsStats = new StatsPids { Current = linux.Pids.Current, Limit = linux.Pids.Limit };
            frame.BlkioStats = new StatsBlkio
            {
                IoServiceBytesRecursive = Blkio(linux.Blkio.IoServiceBytesRecursive), IoServicedRecursive = Blkio(linux.Blkio.IoServicedRecursive),
                IoQueueRecursive = Blkio(linux.Blkio.IoQueuedRecursive), IoServiceTimeRecursive = Blkio(linux.Blkio.IoServiceTimeRecursive),
                IoWaitTimeRecursive = Blkio(linux.Blkio.IoWaitTimeRecursive), IoMergedRecursive = Blkio(linux.Blkio.IoMergedRecursive),
                IoTimeRecursive = Blkio(linux.Blkio.IoTimeRecursive), SectorsRecursive = Blkio(linux.Blkio.SectorsRecursive),
            };
        }
        else
        {
            cpu.CpuUsage = new StatsCpuUsage
            {
                TotalUsage = s.Processor.TotalRuntime100ns * 100, UsageInKernelmode = s.Processor.RuntimeKernel100ns * 100, UsageInUsermode = s.Processor.RuntimeUser100ns * 100,
            };
            frame.MemoryStats = new StatsMemory { Usage = s.Memory.MemoryUsageCommitBytes, MaxUsage = s.Memory.MemoryUsageCommitPeakBytes, Limit = s.Memory.LimitBytes ?? HostCpu.MemoryTotal(), Stats = [] };
            frame.PidsStats = new StatsPids { Current = s.Processes.Current, Limit = s.Processes.Limit ?? 0 };
        }
        // dockerd reports the container's own interfaces (its endpoints), not loopback
        var networks = s.Network.Where(n => n.EndpointId != "lo").ToList();
        if (networks.Count > 0)
            frame.Networks = networks.ToDictionary(n => n.EndpointId, n => new StatsNetwork
            {
                RxBytes = n.BytesReceived, RxPackets = n.PacketsReceived, RxDropped = n.DroppedPacketsIncoming,
                TxBytes = n.BytesSent, TxPackets = n.PacketsSent, TxDropped = n.DroppedPacketsOutgoing,
            }, StringComparer.Ordinal);
        return frame;
    }

    private static List<StatsBlkioEntry>? Blkio(List<Carton.Oci.BlkioEntry>? entries) =>
        entries is null ? null : [.. entries.Select(e => new StatsBlkioEntry { Major = e.Major, Minor = e.Minor, Op = e.Op ?? "", Value = e.Value })];
}
