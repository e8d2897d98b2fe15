using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Carton.Oci;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>
/// `carton update` (runc-update(8)): change a running container's cgroup limits, from flags or from a
/// linux.resources JSON document (-r FILE, "-" for stdin). Values not given keep their current setting.
/// </summary>
public static class UpdateCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var resources = new Option<string?>("--resources", "-r") { Description = "path to a file containing the resources to update, or - to read from stdin" };
        var blkioWeight = new Option<string?>("--blkio-weight") { Description = "block IO weight (relative weight), 10 to 1000" };
        var cpuPeriod = new Option<string?>("--cpu-period") { Description = "CPU CFS period in microseconds" };
        var cpuQuota = new Option<string?>("--cpu-quota") { Description = "CPU CFS quota in microseconds" };
        var cpuShare = new Option<string?>("--cpu-share") { Description = "CPU shares (relative weight)" };
        var cpuRtPeriod = new Option<string?>("--cpu-rt-period") { Description = "CPU realtime period in microseconds" };
        var cpuRtRuntime = new Option<string?>("--cpu-rt-runtime") { Description = "CPU realtime runtime in microseconds" };
        var cpusetCpus = new Option<string?>("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
        var cpusetMems = new Option<string?>("--cpuset-mems") { Description = "memory nodes in which to allow execution (0-3, 0,1)" };
        var kernelMemory = new Option<string?>("--kernel-memory") { Description = "kernel memory limit (deprecated; ignored by recent kernels)" };
        var kernelMemoryTcp = new Option<string?>("--kernel-memory-tcp") { Description = "kernel TCP memory limit (deprecated)" };
        var memory = new Option<string?>("--memory") { Description = "memory limit (in bytes, or with a k/m/g suffix; -1 for unlimited)" };
        var memoryReservation = new Option<string?>("--memory-reservation") { Description = "memory reservation or soft limit" };
        var memorySwap = new Option<string?>("--memory-swap") { Description = "total memory usage (memory + swap); -1 for unlimited swap" };
        var pidsLimit = new Option<string?>("--pids-limit") { Description = "maximum number of pids allowed in the container" };
        var l3 = new Option<string?>("--l3-cache-schema") { Description = "Intel RDT: not supported by carton" };
        var memBw = new Option<string?>("--mem-bw-schema") { Description = "Intel RDT: not supported by carton" };
        var cmd = new Command("update", "update container resource constraints")
        {
            id, resources, blkioWeight, cpuPeriod, cpuQuota, cpuShare, cpuRtPeriod, cpuRtRuntime, cpusetCpus, cpusetMems,
            kernelMemory, kernelMemoryTcp, memory, memoryReservation, memorySwap, pidsLimit, l3, memBw,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            if (parse.GetValue(l3) is not null || parse.GetValue(memBw) is not null)
                throw new ArgumentException("--l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by carton");
            var containerId = parse.GetValue(id)!;
            life.Update(containerId, current =>
            {
                if (parse.GetValue(resources) is { } file)
                {
                    var json = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
                    LinuxResources change;
                    try
                    {
                        change = JsonSerializer.Deserialize(json, OciJsonContext.Default.LinuxResources)
                                 ?? throw new ArgumentException($"--resources {file}: empty document");
                    }
                    catch (JsonException e) { throw new ArgumentException($"--resources {file}: {e.Message}"); }
                    // Each group the document has replaces the current one; the groups it leaves out keep their
                    // settings (and stay in the saved spec), as the compute service's update does.
                    return ResourceGroups.Merge(current, change);
                }
                var r = current;
                r.Memory ??= new LinuxMemory();
                r.Cpu ??= new LinuxCpu();
                if (parse.GetValue(memory) is { } m) r.Memory.Limit = ParseBytes("--memory", m);
                if (parse.GetValue(memoryReservation) is { } mr) r.Memory.Reservation = ParseBytes("--memory-reservation", mr);
                if (parse.GetValue(memorySwap) is { } ms) r.Memory.Swap = ParseBytes("--memory-swap", ms);
                if (parse.GetValue(kernelMemory) is { } km) r.Memory.Kernel = ParseBytes("--kernel-memory", km);
                if (parse.GetValue(kernelMemoryTcp) is { } kt) r.Memory.KernelTCP = ParseBytes("--kernel-memory-tcp", kt);
                if (parse.GetValue(cpuPeriod) is { } cp) r.Cpu.Period = ParseUlong("--cpu-period", cp);
                if (parse.GetValue(cpuQuota) is { } cq) r.Cpu.Quota = ParseLong("--cpu-quota", cq);
                if (parse.GetValue(cpuShare) is { } cs) r.Cpu.Shares = ParseUlong("--cpu-share", cs);
                if (parse.GetValue(cpuRtPeriod) is { } rp) r.Cpu.RealtimePeriod = ParseUlong("--cpu-rt-period", rp);
                if (parse.GetValue(cpuRtRuntime) is { } rr) r.Cpu.RealtimeRuntime = ParseLong("--cpu-rt-runtime", rr);
                if (parse.GetValue(cpusetCpus) is { } cc) r.Cpu.Cpus = cc;
                if (parse.GetValue(cpusetMems) is { } cm) r.Cpu.Mems = cm;
                if (parse.GetValue(pidsLimit) is { } pl) (r.Pids ??= new LinuxPids()).Limit = ParseLong("--pids-limit", pl);
                if (parse.GetValue(blkioWeight) is { } bw)
                {
                    var w = ParseUlong("--blkio-weight", bw);
                    if (w != 0 && (w < 10 || w > 1000)) throw new ArgumentException($"--blkio-weight: {w} is outside 10..1000");
                    (r.BlockIO ??= new LinuxBlockIO()).Weight = (ushort)w;
                }
                return r;
            });
            return 0;
        }));
        return cmd;
    }

    private static ulong ParseUlong(string flag, string s) =>
        ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{flag}: invalid value \"{s}\": must be a non-negative integer");

    private static long ParseLong(string flag, string s) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{flag}: invalid value \"{s}\": must be an integer");

    /// <summary>Byte sizes as runc takes them (docker/go-units RAMInBytes): 1024-based k, m, g, t, p suffixes, optional "b"; -1 is unlimited.</summary>
    public static long ParseBytes(string flag, string s)
    {
        if (s == "-1") return -1;
        var t = s.Trim().ToLowerInvariant();
        if (t.EndsWith('b') && t.Length > 1 && !char.IsAsciiDigit(t[^2])) t = t[..^1];
        long mult = 1;
        if (t.Length > 0 && "kmgtp".Contains(t[^1]))
        {
            mult = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, _ => 1L << 50 };
            t = t[..^1];
        }
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n < 0)
            throw new ArgumentException($"{flag}: invalid size \"{s}\"");
        return (long)(n * mult);
    }
}
