using Carton.Linux.Cgroups.Devices;
using Carton.Oci;

namespace Carton.Linux.Cgroups;

/// <summary>
/// Applies linux.resources to a cgroup v2 directory, following runc's fs2 driver. The OCI values are defined in
/// v1 terms (config-linux.md "Control groups"), so several go through <see cref="CgroupConversions"/>: cpu.shares →
/// cpu.weight, quota/period → cpu.max, memory+swap → memory.swap.max, blkio weight → io.weight.
/// <para>
/// Errors vs warnings. A controller that is not enabled for the cgroup (absent from its cgroup.controllers), a
/// missing file or a refused write is an error naming the OCI field, as in runc. Settings with no v2 counterpart
/// that runc ignores are warnings: memory.swappiness, memory.kernel, memory.kernelTCP, memory.disableOOMKiller,
/// memory.useHierarchy=false, blockIO leaf weights, cpu.realtimePeriod/realtimeRuntime, network (net_cls/net_prio).
/// linux.resources.unified (config-linux.md "Unified") is written last, so it overrides converted values.
/// </para>
/// </summary>
public static class CgroupV2Resources
{
    /// <param name="dir">The container's cgroup directory in the unified tree.</param>
    /// <param name="r">The resources; null members are left untouched.</param>
    /// <returns>Warnings for settings that were skipped.</returns>
    public static IReadOnlyList<string> Apply(string dir, LinuxResources r) => Apply(dir, r, new CgroupResourceWriter());

    internal static IReadOnlyList<string> Apply(string dir, LinuxResources r, CgroupResourceWriter w)
    {
        ArgumentNullException.ThrowIfNull(r);
        CgroupResourceFormat.Validate(r);
        ValidateUnifiedKeys(r.Unified);
        // Converted up front so that an impossible memory+swap fails before anything is written.
        var swapMax = r.Memory is { } mem ? CgroupConversions.MemorySwapToV2(mem.Swap, mem.Limit) : null;

        var warnings = new List<string>();
        var controllers = new Controllers(dir);
        // runc's fs2 order: pids, memory, io, cpu, devices, cpuset, hugetlb, rdma, unified.
        if (r.Pids is { Limit: { } pids })
            w.Write("linux.resources.pids.limit", controllers.Require("pids", "linux.resources.pids"), "pids.max", CgroupConversions.PidsMax(pids));
        if (r.Memory is { } memory) Memory(dir, memory, swapMax, controllers, w, warnings);
        if (r.BlockIO is { } blkio) Io(dir, blkio, controllers, w, warnings);
        if (r.Cpu is { } cpu) Cpu(dir, cpu, controllers, w, warnings);
        // linux.resources.devices: cgroup v2 has no devices files; access is enforced by an eBPF program attached to
        // the cgroup (BPF_CGROUP_DEVICE), in this order (after cpu, before cpuset, as runc's setDevices).
        if (r.Devices is { } devices) CgroupDeviceFilter.Attach(dir, devices);
        if (r.Cpu is { } cpuset) Cpuset(cpuset, controllers, w);
        if (r.HugepageLimits is { Count: > 0 } hugepages)
        {
            controllers.Require("hugetlb", "linux.resources.hugepageLimits");
            Hugetlb(dir, hugepages, w);
        }
        if (r.Rdma is { Count: > 0 } rdma)
        {
            controllers.Require("rdma", "linux.resources.rdma");
            foreach (var (device, limit) in rdma.OrderBy(p => p.Key, StringComparer.Ordinal))
                w.Write($"linux.resources.rdma[\"{device}\"]", dir, "rdma.max", CgroupResourceFormat.RdmaMax(device, limit));
        }
        if (r.Network is { } net && (net.ClassID is not (null or 0) || net.Priorities is { Count: > 0 }))
            warnings.Add("linux.resources.network: ignored: net_cls and net_prio do not exist in cgroup v2 (use eBPF/nftables cgroup matching)");
        if (r.Unified is { Count: > 0 } unified) Unified(dir, unified, controllers, w);
        return warnings;
    }

    /// <summary>config-linux.md "Unified": each key names a file of the container's cgroup, so no path separators or dot names.</summary>
    private static void ValidateUnifiedKeys(Dictionary<string, string>? unified)
    {
        if (unified is null) return;
        foreach (var key in unified.Keys)
            if (key.Length == 0 || key.Contains('/') || key is "." or ".." || key.Any(char.IsControl))
                throw new CgroupException($"linux.resources.unified[\"{key}\"]: must be a plain cgroup file name (no '/')");
    }

    /// <summary>The controllers enabled for a cgroup: its own cgroup.controllers (what its parent delegates).</summary>
    private sealed class Controllers(string dir)
    {
        private HashSet<string>? _names;
        private bool _read;

        /// <summary>The set, or null when cgroup.controllers cannot be read (then writes report the problem themselves).</summary>
        public HashSet<string>? Names
        {
            get
            {
                if (_read) return _names;
                _read = true;
                try
                {
                    _names = CgroupFiles.TryRead(Path.Combine(dir, "cgroup.controllers")) is { } text
                        ? new HashSet<string>(text.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal)
                        : null;
                }
                catch (CgroupException)
                {
                    _names = null;
                }
                return _names;
            }
        }

        public string Require(string controller, string field)
        {
            if (Names is { } names && !names.Contains(controller))
                throw new CgroupException($"{field}: the {controller} controller is not enabled for {dir} (its cgroup.controllers lists: {(names.Count == 0 ? "none" : string.Join(' ', names.Order(StringComparer.Ordinal)))})");
            return dir;
        }
    }

    private static void Memory(string dir, LinuxMemory m, string? swapMax, Controllers controllers, CgroupResourceWriter w, List<string> warnings)
    {
        var max = CgroupConversions.MemoryV2(m.Limit);
        var low = CgroupConversions.MemoryV2(m.Reservation);
        if (max is not null || low is not null || swapMax is not null)
        {
            controllers.Require("memory", "linux.resources.memory");
            if (m.CheckBeforeUpdate == true) CheckUsage(dir, m.Limit ?? 0, m.Swap ?? 0);
            // Swap first, as runc: memory.swap.max does not depend on memory.max in v2.
            if (swapMax is not null)
            {
                var errno = w.TryWrite(dir, "memory.swap.max", swapMax);
                // Without swap accounting the file is missing; "max" and "0" then already hold (runc ignores them).
                if (errno != 0 && !(errno == Interop.Errno.ENOENT && swapMax is "max" or "0"))
                    throw CgroupResourceWriter.Failure("linux.resources.memory.swap", dir, "memory.swap.max", swapMax, errno);
            }
            if (max is not null) w.Write("linux.resources.memory.limit", dir, "memory.max", max);
            if (low is not null) w.Write("linux.resources.memory.reservation", dir, "memory.low", low);
        }
        if (m.Swappiness is not null)
            warnings.Add("linux.resources.memory.swappiness: ignored: cgroup v2 has no per-cgroup swappiness");
        if (m.Kernel is not (null or 0))
            warnings.Add("linux.resources.memory.kernel: ignored: cgroup v2 has no separate kernel memory limit (kernel memory counts toward memory.max)");
        if (m.KernelTCP is not (null or 0))
            warnings.Add("linux.resources.memory.kernelTCP: ignored: cgroup v2 has no separate kernel TCP memory limit (it counts toward memory.max)");
        if (m.DisableOOMKiller == true)
            warnings.Add("linux.resources.memory.disableOOMKiller: ignored: cgroup v2 cannot disable the OOM killer");
        if (m.UseHierarchy == false)
            warnings.Add("linux.resources.memory.useHierarchy: ignored: cgroup v2 accounting is always hierarchical");
    }

    /// <summary>
    /// config-linux.md "Memory" checkBeforeUpdate: v2 does not refuse a limit below usage (it reclaims, then OOM-kills),
    /// so compare with memory.current first, as runc's CheckMemoryUsage (limit &lt;= usage is refused). Best effort:
    /// an unreadable memory.current (cgroup not populated yet) skips the check.
    /// </summary>
    private static void CheckUsage(string dir, long limit, long swap)
    {
        if (limit <= 0 && swap <= 0) return;
        if (CgroupResourceWriter.TryReadNumber(dir, "memory.current") is not { } usage) return;
        if (swap > 0 && (ulong)swap <= usage)
            throw new CgroupException($"linux.resources.memory.swap: rejecting memory+swap limit {swap}: current usage is {usage} bytes (checkBeforeUpdate)");
        if (limit > 0 && (ulong)limit <= usage)
            throw new CgroupException($"linux.resources.memory.limit: rejecting memory limit {limit}: current usage is {usage} bytes (checkBeforeUpdate)");
    }

    /// <summary>
    /// io.weight takes "default N" with N in 1..10000, so the OCI (blkio, 10..1000) weight is converted; per-device
    /// weights are "major:minor N" in the same file. Where io.weight is missing (no io.cost support) but BFQ provides
    /// io.bfq.weight (1..1000, the blkio scale), the unconverted weight goes there. runc checks BFQ first; Carton
    /// prefers io.weight because it applies to every scheduler, not only to devices that run BFQ.
    /// </summary>
    private static void Io(string dir, LinuxBlockIO b, Controllers controllers, CgroupResourceWriter w, List<string> warnings)
    {
        var weighted = b.Weight is not (null or 0) || b.WeightDevice?.Any(d => d?.Weight is not null) == true;
        var throttled = b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
            || b.ThrottleReadIOPSDevice is { Count: > 0 } || b.ThrottleWriteIOPSDevice is { Count: > 0 };
        if (b.LeafWeight is not (null or 0) || b.WeightDevice?.Any(d => d?.LeafWeight is not null) == true)
            warnings.Add("linux.resources.blockIO.leafWeight: ignored: cgroup v2 has no leaf weights");
        if (!weighted && !throttled) return;
        controllers.Require("io", "linux.resources.blockIO");

        if (weighted)
        {
            var useIoWeight = CgroupResourceWriter.Exists(dir, "io.weight");
            if (!useIoWeight && !CgroupResourceWriter.Exists(dir, "io.bfq.weight"))
                throw new CgroupException($"linux.resources.blockIO.weight: neither io.weight nor io.bfq.weight exists in {dir} (the kernel has neither io.cost nor BFQ weights)");
            var file = useIoWeight ? "io.weight" : "io.bfq.weight";
            if (b.Weight is { } weight and not 0)
            {
                var value = useIoWeight ? "default " + CgroupResourceWriter.Format(CgroupConversions.BlkioWeightToIoWeight(weight)) : CgroupResourceWriter.Format((ulong)weight);
                w.Write("linux.resources.blockIO.weight", dir, file, value);
            }
            if (b.WeightDevice is { } devices)
                for (var i = 0; i < devices.Count; i++)
                    if (devices[i] is { Weight: { } dw } d)
                    {
                        var value = useIoWeight ? CgroupConversions.BlkioWeightToIoWeight(dw) : dw;
                        w.Write($"linux.resources.blockIO.weightDevice[{i}].weight", dir, file, CgroupResourceFormat.DeviceValue(d.Major, d.Minor, value));
                    }
        }
        IoMax(dir, "throttleReadBpsDevice", "rbps", b.ThrottleReadBpsDevice, w);
        IoMax(dir, "throttleWriteBpsDevice", "wbps", b.ThrottleWriteBpsDevice, w);
        IoMax(dir, "throttleReadIOPSDevice", "riops", b.ThrottleReadIOPSDevice, w);
        IoMax(dir, "throttleWriteIOPSDevice", "wiops", b.ThrottleWriteIOPSDevice, w);
    }

    private static void IoMax(string dir, string name, string key, List<LinuxThrottleDevice>? devices, CgroupResourceWriter w)
    {
        if (devices is null) return;
        for (var i = 0; i < devices.Count; i++)
            if (devices[i] is { } d) w.Write($"linux.resources.blockIO.{name}[{i}]", dir, "io.max", CgroupResourceFormat.IoMax(d, key));
    }

    /// <summary>runc's fs2 setCPU: idle, weight, burst (retried after cpu.max when refused as above the old quota), cpu.max.</summary>
    private static void Cpu(string dir, LinuxCpu c, Controllers controllers, CgroupResourceWriter w, List<string> warnings)
    {
        if (c.RealtimePeriod is not (null or 0) || c.RealtimeRuntime is not (null or 0))
            warnings.Add("linux.resources.cpu.realtimePeriod/realtimeRuntime: ignored: cgroup v2 has no realtime CPU bandwidth control");
        var weight = CgroupConversions.CpuSharesToWeight(c.Shares ?? 0);
        var max = CgroupConversions.CpuMaxV2(c.Quota, c.Period);
        if (c.Idle is null && weight == 0 && max is null && c.Burst is null) return;
        controllers.Require("cpu", "linux.resources.cpu");

        if (c.Idle is { } idle) w.Write("linux.resources.cpu.idle", dir, "cpu.idle", CgroupResourceWriter.Format(idle));
        if (weight != 0) w.Write("linux.resources.cpu.shares", dir, "cpu.weight", CgroupResourceWriter.Format(weight));
        string? pendingBurst = null;
        if (c.Burst is { } burst)
        {
            var text = CgroupResourceWriter.Format(burst);
            var errno = w.TryWrite(dir, "cpu.max.burst", text);
            if (errno == Interop.Errno.EINVAL && max is not null) pendingBurst = text;
            else if (errno != 0) throw CgroupResourceWriter.Failure("linux.resources.cpu.burst", dir, "cpu.max.burst", text, errno);
        }
        if (max is not null)
        {
            w.Write(c.Quota is not (null or 0) ? "linux.resources.cpu.quota" : "linux.resources.cpu.period", dir, "cpu.max", max);
            if (pendingBurst is not null) w.Write("linux.resources.cpu.burst", dir, "cpu.max.burst", pendingBurst);
        }
    }

    private static void Cpuset(LinuxCpu c, Controllers controllers, CgroupResourceWriter w)
    {
        if (!string.IsNullOrEmpty(c.Cpus))
            w.Write("linux.resources.cpu.cpus", controllers.Require("cpuset", "linux.resources.cpu.cpus"), "cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems))
            w.Write("linux.resources.cpu.mems", controllers.Require("cpuset", "linux.resources.cpu.mems"), "cpuset.mems", c.Mems);
    }

    /// <summary>
    /// hugetlb.&lt;size&gt;.max, plus hugetlb.&lt;size&gt;.rsvd.max where the kernel has reservation accounting
    /// (config-linux.md "Huge page limits"; runc writes both). Also used for hybrid hosts by <see cref="CgroupV1Resources"/>.
    /// </summary>
    internal static void Hugetlb(string dir, List<LinuxHugepageLimit> limits, CgroupResourceWriter w)
    {
        const string field = "linux.resources.hugepageLimits";
        for (var i = 0; i < limits.Count; i++)
        {
            if (limits[i] is not { } h) continue;
            var file = $"hugetlb.{h.Pagesize}.max";
            if (!CgroupResourceWriter.Exists(dir, file))
                throw new CgroupException($"{field}[{i}].pageSize: hugepage size {h.Pagesize} is not supported on this host ({Path.Combine(dir, file)} does not exist)");
            var value = CgroupResourceWriter.Format(h.Limit);
            w.Write($"{field}[{i}].limit", dir, file, value);
            var rsvd = $"hugetlb.{h.Pagesize}.rsvd.max";
            if (CgroupResourceWriter.Exists(dir, rsvd)) w.Write($"{field}[{i}].limit", dir, rsvd, value);
        }
    }

    /// <summary>
    /// config-linux.md "Unified": keys are written as given, after everything else. Multi-line values are written
    /// one line per write(2), as runc's WriteFileByLine, because files such as io.max parse a single line per write.
    /// A key whose file is missing is reported as its controller not being enabled when that is the reason.
    /// </summary>
    private static void Unified(string dir, Dictionary<string, string> unified, Controllers controllers, CgroupResourceWriter w)
    {
        foreach (var (key, value) in unified.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var field = $"linux.resources.unified[\"{key}\"]";
            if (!CgroupResourceWriter.Exists(dir, key))
            {
                var dot = key.IndexOf('.');
                var controller = dot > 0 ? key[..dot] : key;
                if (controller != "cgroup" && controllers.Names is { } names && !names.Contains(controller))
                    controllers.Require(controller, field);
            }
            var lines = (value ?? "").Split('\n').Where(l => l.Length > 0).ToList();
            // An empty value is still written once (e.g. to reset a file that accepts an empty write).
            if (lines.Count == 0) lines.Add(value ?? "");
            foreach (var line in lines) w.Write(field, dir, key, line);
        }
    }

    /// <summary>True if the cgroup2 root at <paramref name="mountPoint"/> offers <paramref name="controller"/> (its cgroup.controllers).</summary>
    internal static bool RootHasController(string mountPoint, string controller)
    {
        try
        {
            var text = CgroupFiles.TryRead(Path.Combine(mountPoint, "cgroup.controllers"));
            return text is not null && text.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Contains(controller, StringComparer.Ordinal);
        }
        catch (CgroupException)
        {
            return false;
        }
    }

    /// <summary>
    /// Makes <paramref name="controller"/>'s files appear in <paramref name="dir"/> by enabling it in cgroup.subtree_control
    /// of every ancestor from the mount point down to dir's parent (the v2 delegation rule). Used on hybrid hosts,
    /// where <see cref="CgroupV1Manager.Create"/> leaves the unified tree's subtree_control alone; the change stays in
    /// place, as systemd would leave it. Ancestors that already enable it are not written.
    /// </summary>
    internal static void EnableController(string mountPoint, string dir, string controller, string field, CgroupResourceWriter w)
    {
        var parent = Path.GetDirectoryName(CgroupFiles.TrimSlash(dir));
        if (parent is null || !CgroupFiles.IsUnder(parent, mountPoint)) return;
        foreach (var ancestor in new[] { CgroupFiles.TrimSlash(mountPoint) }.Concat(CgroupFiles.Descend(mountPoint, parent)))
        {
            var enabled = CgroupFiles.TryRead(Path.Combine(ancestor, "cgroup.subtree_control"));
            if (enabled is not null && enabled.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Contains(controller, StringComparer.Ordinal))
                continue;
            w.Write(field, ancestor, "cgroup.subtree_control", "+" + controller);
        }
    }
}
