using Carton.Oci;

namespace Carton.Linux.Cgroups;

/// <summary>
/// Applies linux.resources (config-linux.md "Control groups" and its Memory, CPU, Block IO, Huge page limits,
/// Network, PIDs, RDMA and Allowed Device list sections) to a container's cgroup v1 directories, following runc's
/// fs driver: the same files, values, write order and tolerated failures.
/// <para>
/// Errors vs warnings. A setting that cannot be honoured is an error (nothing after it is written) when runc fails
/// too: a controller that is not mounted ("linux.resources.pids: the pids controller is not mounted on this host"),
/// a missing control file, a refused write. Warnings are returned only where runc ignores the setting or the kernel
/// dropped the knob: memory.kernel / memory.kernelTCP (deprecated; file missing, or the kernel accepts and ignores
/// the value), memory.useHierarchy=false on kernels where hierarchy is always on, cpu.burst without cpu.cfs_burst_us.
/// A linux.resources.unified map is always an error on v1 (config-linux.md "Unified").
/// </para>
/// <para>
/// pids.limit 0 is written as "max", as runc before 1.3 did and the model documents, although config-linux.md
/// "PIDs" now says 0 SHOULD be a real limit of zero; OCI 0 for memory/cpu values likewise means "unset".
/// </para>
/// </summary>
public static class CgroupV1Resources
{
    /// <param name="host">The probed host, used to tell "controller not mounted" from "no cgroup for it" and, on hybrid hosts, to reach the unified tree.</param>
    /// <param name="paths">Hierarchy key ("cpu,cpuacct", "memory", "name=systemd"; "" for the unified tree) → absolute cgroup directory.</param>
    /// <param name="r">The resources; null members are left untouched, so the same call serves create and update.</param>
    /// <returns>Warnings for settings that were skipped or not fully honoured.</returns>
    public static IReadOnlyList<string> Apply(CgroupHost host, IReadOnlyDictionary<string, string> paths, LinuxResources r) =>
        Apply(host, paths, r, new CgroupResourceWriter());

    internal static IReadOnlyList<string> Apply(CgroupHost host, IReadOnlyDictionary<string, string> paths, LinuxResources r, CgroupResourceWriter writer)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Unified is { Count: > 0 })
            throw new CgroupException("linux.resources.unified: requires cgroup v2 (this host's resource controllers are cgroup v1)");
        CgroupResourceFormat.Validate(r);

        var apply = new V1(host, paths, writer);
        // runc's subsystem order: cpuset, devices, memory, cpu, pids, blkio, hugetlb, net_cls, net_prio, rdma.
        if (r.Cpu is { } cpu) apply.Cpuset(cpu);
        if (r.Devices is { } devices) apply.Devices(devices);
        if (r.Memory is { } memory) apply.Memory(memory);
        if (r.Cpu is { } cpu2) apply.Cpu(cpu2);
        if (r.Pids is { Limit: { } pids }) apply.Pids(pids);
        if (r.BlockIO is { } blkio) apply.Blkio(blkio);
        if (r.HugepageLimits is { Count: > 0 } hugepages) apply.Hugetlb(hugepages);
        if (r.Network is { } network) apply.Network(network);
        if (r.Rdma is { Count: > 0 } rdma) apply.Rdma(rdma);
        return apply.Warnings;
    }

    private sealed class V1(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupResourceWriter w)
    {
        public List<string> Warnings { get; } = [];

        /// <summary>The directory of the hierarchy carrying <paramref name="controller"/>, or null.</summary>
        private string? Find(string controller)
        {
            foreach (var (key, dir) in paths)
                if (key.Length > 0 && key.Split(',').Contains(controller, StringComparer.Ordinal)) return dir;
            return null;
        }

        /// <summary>The directory for <paramref name="controller"/>, or an error naming the OCI field that needs it.</summary>
        private string Require(string controller, string field) =>
            Find(controller) ?? throw new CgroupException(host.FindByController(controller) is { } h
                ? $"{field}: the container has no cgroup in the {controller} hierarchy ({h.MountPoint})"
                : $"{field}: the {controller} controller is not mounted on this host");

        public void Cpuset(LinuxCpu cpu)
        {
            // cpus before mems, as runc; both must be subsets of the parent's (inherited at Create).
            if (!string.IsNullOrEmpty(cpu.Cpus))
                w.Write("linux.resources.cpu.cpus", Require("cpuset", "linux.resources.cpu.cpus"), "cpuset.cpus", cpu.Cpus);
            if (!string.IsNullOrEmpty(cpu.Mems))
                w.Write("linux.resources.cpu.mems", Require("cpuset", "linux.resources.cpu.mems"), "cpuset.mems", cpu.Mems);
        }

        /// <summary>
        /// Deny everything, then replay the rules in order (config-linux.md "Allowed Device list": later rules
        /// override earlier ones, as the kernel's list does). The default devices are the caller's to include.
        /// </summary>
        public void Devices(List<LinuxDeviceCgroup> rules)
        {
            const string field = "linux.resources.devices";
            var dir = Require("devices", field);
            w.Write(field, dir, "devices.deny", "a");
            for (var i = 0; i < rules.Count; i++)
            {
                if (rules[i] is not { } rule) continue;
                w.Write($"{field}[{i}]", dir, rule.Allow ? "devices.allow" : "devices.deny", CgroupResourceFormat.DeviceRule(rule));
            }
        }

        public void Memory(LinuxMemory m)
        {
            long limit = m.Limit ?? 0, swap = m.Swap ?? 0;
            var needsController = limit != 0 || swap != 0 || m.Reservation is not (null or 0) || m.Swappiness is not null
                || m.DisableOOMKiller == true || m.UseHierarchy is not null;
            var kernelOnly = !needsController && (m.Kernel is not (null or 0) || m.KernelTCP is not (null or 0));
            if (!needsController && !kernelOnly) return;
            var dir = Find("memory");
            if (dir is null)
            {
                if (!kernelOnly) Require("memory", "linux.resources.memory");
                if (m.Kernel is not (null or 0)) Warnings.Add("linux.resources.memory.kernel: ignored: the memory controller is not mounted on this host");
                if (m.KernelTCP is not (null or 0)) Warnings.Add("linux.resources.memory.kernelTCP: ignored: the memory controller is not mounted on this host");
                return;
            }

            if (m.CheckBeforeUpdate == true) CheckUsage(dir, limit, swap);
            SetMemoryAndSwap(dir, limit, swap);
            if (m.Reservation is { } reservation and not 0)
                w.Write("linux.resources.memory.reservation", dir, "memory.soft_limit_in_bytes", CgroupResourceWriter.Format(reservation));
            if (m.Kernel is { } kernel and not 0) Kmem(dir, "linux.resources.memory.kernel", "memory.kmem.limit_in_bytes", kernel);
            if (m.KernelTCP is { } tcp and not 0) Kmem(dir, "linux.resources.memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", tcp);
            if (m.DisableOOMKiller == true) w.Write("linux.resources.memory.disableOOMKiller", dir, "memory.oom_control", "1");
            if (m.Swappiness is { } swappiness)
                w.Write("linux.resources.memory.swappiness", dir, "memory.swappiness", CgroupResourceWriter.Format(swappiness));
            if (m.UseHierarchy is { } hierarchy)
            {
                var value = hierarchy ? "1" : "0";
                var errno = w.TryWrite(dir, "memory.use_hierarchy", value);
                // Since Linux 5.x hierarchy is always on and writing 0 fails with EINVAL; the request cannot be met
                // but runc dropped the setting altogether, so this is a warning.
                if (errno == Interop.Errno.EINVAL && !hierarchy)
                    Warnings.Add($"linux.resources.memory.useHierarchy: ignored: this kernel always uses hierarchical accounting ({Path.Combine(dir, "memory.use_hierarchy")} refuses 0)");
                else if (errno != 0)
                    throw CgroupResourceWriter.Failure("linux.resources.memory.useHierarchy", dir, "memory.use_hierarchy", value, errno);
            }
        }

        /// <summary>
        /// config-linux.md "Memory" checkBeforeUpdate: refuse a limit at or below current usage (runc's
        /// CheckMemoryUsage uses &lt;=). The v1 kernel would also refuse (EBUSY) but only after reclaiming hard.
        /// </summary>
        private static void CheckUsage(string dir, long limit, long swap)
        {
            if (limit <= 0 && swap <= 0) return;
            var usage = CgroupResourceWriter.ReadNumber("linux.resources.memory.checkBeforeUpdate", dir, "memory.usage_in_bytes");
            if (swap > 0 && (ulong)swap <= usage)
                throw new CgroupException($"linux.resources.memory.swap: rejecting memory+swap limit {swap}: current usage is {usage} bytes (checkBeforeUpdate)");
            if (limit > 0 && (ulong)limit <= usage)
                throw new CgroupException($"linux.resources.memory.limit: rejecting memory limit {limit}: current usage is {usage} bytes (checkBeforeUpdate)");
        }

        /// <summary>
        /// runc's setMemoryAndSwap. The kernel insists memsw.limit &gt;= limit at every moment, so when both change
        /// the order depends on the direction: if the new memory+swap is above the current memory limit (or
        /// unlimited) it goes first, then the memory limit; otherwise (shrinking) the memory limit goes first.
        /// A memory limit of -1 with swap unset also lifts the swap limit, when swap accounting exists.
        /// </summary>
        private void SetMemoryAndSwap(string dir, long limit, long swap)
        {
            const string memsw = "memory.memsw.limit_in_bytes";
            if (limit == -1 && swap == 0 && CgroupResourceWriter.Exists(dir, memsw)) swap = -1;
            if (limit != 0 && swap != 0)
            {
                var current = CgroupResourceWriter.ReadNumber("linux.resources.memory.limit", dir, "memory.limit_in_bytes");
                if (swap == -1 || current < (ulong)swap)
                {
                    SetSwap(dir, swap);
                    SetLimit(dir, limit);
                    return;
                }
            }
            SetLimit(dir, limit);
            SetSwap(dir, swap);
        }

        private void SetLimit(string dir, long limit)
        {
            if (limit != 0) w.Write("linux.resources.memory.limit", dir, "memory.limit_in_bytes", CgroupResourceWriter.Format(limit));
        }

        private void SetSwap(string dir, long swap)
        {
            if (swap == 0) return;
            const string memsw = "memory.memsw.limit_in_bytes";
            if (!CgroupResourceWriter.Exists(dir, memsw))
            {
                // Without swap accounting swap is already unlimited, so -1 holds; a real limit cannot be enforced.
                if (swap == -1) return;
                throw new CgroupException($"linux.resources.memory.swap: {Path.Combine(dir, memsw)} does not exist (swap accounting is disabled in this kernel; boot with swapaccount=1)");
            }
            w.Write("linux.resources.memory.swap", dir, memsw, CgroupResourceWriter.Format(swap));
        }

        /// <summary>
        /// Kernel memory limits are deprecated (config-linux.md "Memory": NOT RECOMMENDED; runc ignores them). Linux 6.1
        /// removed kmem.limit_in_bytes from mainline and some kernels keep a file that accepts but ignores values, so a
        /// missing file, an unsupported write or a value that does not stick is a warning, never an error.
        /// </summary>
        private void Kmem(string dir, string field, string file, long value)
        {
            if (!CgroupResourceWriter.Exists(dir, file))
            {
                Warnings.Add($"{field}: ignored: {Path.Combine(dir, file)} does not exist (kernel memory limits were removed in Linux 6.1)");
                return;
            }
            var text = CgroupResourceWriter.Format(value);
            var errno = w.TryWrite(dir, file, text);
            if (errno is Interop.Errno.EOPNOTSUPP or 524 /* kernel-internal ENOTSUPP */ or Interop.Errno.EINVAL)
            {
                Warnings.Add($"{field}: ignored: write {text} to {Path.Combine(dir, file)}: {Interop.Errno.Describe(errno)}");
                return;
            }
            if (errno != 0) throw CgroupResourceWriter.Failure(field, dir, file, text, errno);
            if (value > 0 && CgroupResourceWriter.TryReadNumber(dir, file) is { } readBack && readBack > (ulong)value)
                Warnings.Add($"{field}: ignored by the kernel: {Path.Combine(dir, file)} reads {readBack} after writing {text}");
        }

        public void Cpu(LinuxCpu c)
        {
            var any = c.Shares is not (null or 0) || c.Period is not (null or 0) || c.Quota is not (null or 0) || c.Burst is not null
                || c.Idle is not null || c.RealtimePeriod is not (null or 0) || c.RealtimeRuntime is not (null or 0);
            if (!any) return;
            var dir = Require("cpu", "linux.resources.cpu");

            if (c.Shares is { } shares and not 0)
            {
                const string field = "linux.resources.cpu.shares";
                w.Write(field, dir, "cpu.shares", CgroupResourceWriter.Format(shares));
                // The kernel clamps silently to [2, 262144]; read back and report, as runc does.
                var actual = CgroupResourceWriter.ReadNumber(field, dir, "cpu.shares");
                if (shares > actual) throw new CgroupException($"{field}: {shares} is above the maximum allowed cpu-shares {actual}");
                if (shares < actual) throw new CgroupException($"{field}: {shares} is below the minimum allowed cpu-shares {actual}");
            }

            // A smaller period can be refused (EINVAL) while the old quota / new period would exceed the parent's
            // limit; runc then retries it after the quota. Likewise a burst above the old quota.
            string? pendingPeriod = null, pendingBurst = null;
            if (c.Period is { } period and not 0)
            {
                var text = CgroupResourceWriter.Format(period);
                var errno = w.TryWrite(dir, "cpu.cfs_period_us", text);
                if (errno == Interop.Errno.EINVAL && c.Quota is not (null or 0)) pendingPeriod = text;
                else if (errno != 0) throw CgroupResourceWriter.Failure("linux.resources.cpu.period", dir, "cpu.cfs_period_us", text, errno);
            }
            if (c.Burst is { } burst)
            {
                var text = CgroupResourceWriter.Format(burst);
                var errno = w.TryWrite(dir, "cpu.cfs_burst_us", text);
                if (errno == Interop.Errno.ENOENT)
                    Warnings.Add($"linux.resources.cpu.burst: ignored: {Path.Combine(dir, "cpu.cfs_burst_us")} does not exist (CPU burst needs Linux 5.14+)");
                else if (errno == Interop.Errno.EINVAL && c.Quota is not (null or 0)) pendingBurst = text;
                else if (errno != 0) throw CgroupResourceWriter.Failure("linux.resources.cpu.burst", dir, "cpu.cfs_burst_us", text, errno);
            }
            if (CgroupConversions.CfsQuotaV1(c.Quota) is { } quota)
            {
                w.Write("linux.resources.cpu.quota", dir, "cpu.cfs_quota_us", quota);
                if (pendingPeriod is not null) w.Write("linux.resources.cpu.period", dir, "cpu.cfs_period_us", pendingPeriod);
                if (pendingBurst is not null) w.Write("linux.resources.cpu.burst", dir, "cpu.cfs_burst_us", pendingBurst);
            }
            if (c.Idle is { } idle) w.Write("linux.resources.cpu.idle", dir, "cpu.idle", CgroupResourceWriter.Format(idle));
            // Realtime last, as runc's SetRtSched: period before runtime so the runtime fits the new period.
            if (c.RealtimePeriod is { } rtPeriod and not 0)
                w.Write("linux.resources.cpu.realtimePeriod", dir, "cpu.rt_period_us", CgroupResourceWriter.Format(rtPeriod));
            if (c.RealtimeRuntime is { } rtRuntime and not 0)
                w.Write("linux.resources.cpu.realtimeRuntime", dir, "cpu.rt_runtime_us", CgroupResourceWriter.Format(rtRuntime));
        }

        public void Pids(long limit) =>
            w.Write("linux.resources.pids.limit", Require("pids", "linux.resources.pids"), "pids.max", CgroupConversions.PidsMax(limit));

        /// <summary>
        /// blkio.weight and blkio.weight_device belong to CFQ, which Linux 5.0 removed; with BFQ the same knobs are
        /// blkio.bfq.weight and blkio.bfq.weight_device. Like runc, use the CFQ names when blkio.weight exists and the
        /// BFQ names otherwise. leaf_weight has no BFQ equivalent, so it fails where CFQ is gone (as in runc).
        /// </summary>
        public void Blkio(LinuxBlockIO b)
        {
            var any = b.Weight is not (null or 0) || b.LeafWeight is not (null or 0) || b.WeightDevice is { Count: > 0 }
                || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
                || b.ThrottleReadIOPSDevice is { Count: > 0 } || b.ThrottleWriteIOPSDevice is { Count: > 0 };
            if (!any) return;
            var dir = Require("blkio", "linux.resources.blockIO");
            var cfq = CgroupResourceWriter.Exists(dir, "blkio.weight");
            var weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
            var weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";

            if (b.Weight is { } weight and not 0)
                w.Write("linux.resources.blockIO.weight", dir, weightFile, CgroupResourceWriter.Format((ulong)weight));
            if (b.LeafWeight is { } leaf and not 0)
                w.Write("linux.resources.blockIO.leafWeight", dir, "blkio.leaf_weight", CgroupResourceWriter.Format((ulong)leaf));
            if (b.WeightDevice is { } devices)
                for (var i = 0; i < devices.Count; i++)
                {
                    if (devices[i] is not { } d) continue;
                    if (d.Weight is { } dw)
                        w.Write($"linux.resources.blockIO.weightDevice[{i}].weight", dir, weightDeviceFile, CgroupResourceFormat.DeviceValue(d.Major, d.Minor, dw));
                    if (d.LeafWeight is { } dl)
                        w.Write($"linux.resources.blockIO.weightDevice[{i}].leafWeight", dir, "blkio.leaf_weight_device", CgroupResourceFormat.DeviceValue(d.Major, d.Minor, dl));
                }
            Throttle(dir, "throttleReadBpsDevice", "blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice);
            Throttle(dir, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice);
            Throttle(dir, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice);
            Throttle(dir, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice);
        }

        private void Throttle(string dir, string name, string file, List<LinuxThrottleDevice>? devices)
        {
            if (devices is null) return;
            for (var i = 0; i < devices.Count; i++)
                if (devices[i] is { } d)
                    w.Write($"linux.resources.blockIO.{name}[{i}]", dir, file, CgroupResourceFormat.DeviceValue(d.Major, d.Minor, d.Rate));
        }

        /// <summary>
        /// hugetlb.&lt;size&gt;.limit_in_bytes, plus hugetlb.&lt;size&gt;.rsvd.limit_in_bytes where the kernel has reservation
        /// accounting (config-linux.md "Huge page limits" prefers it; runc writes both). On a hybrid host whose
        /// hugetlb controller is only attached to the unified tree (no v1 hugetlb mount) the limits go to the
        /// container's cgroup2 directory instead, in v2 form (hugetlb.&lt;size&gt;.max).
        /// </summary>
        public void Hugetlb(List<LinuxHugepageLimit> limits)
        {
            const string field = "linux.resources.hugepageLimits";
            var dir = Find("hugetlb");
            if (dir is null)
            {
                if (host.FindByController("hugetlb") is null && host.Unified is { } unified && paths.TryGetValue("", out var unifiedDir)
                    && CgroupV2Resources.RootHasController(unified.MountPoint, "hugetlb"))
                {
                    // Only where the host already delegates hugetlb to this subtree: enabling it in the unified root's
                    // cgroup.subtree_control would be a host-wide change that outlives the container.
                    var enabled = CgroupFiles.TryRead(Path.Combine(Path.GetDirectoryName(unifiedDir.TrimEnd('/'))!, "cgroup.subtree_control")) ?? "";
                    if (!enabled.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains("hugetlb"))
                        throw new CgroupException($"{field}: on this hybrid host hugetlb exists only in the cgroup v2 hierarchy and is not enabled for the container's parent cgroup (cgroup.subtree_control); carton does not change host-wide cgroup settings");
                    CgroupV2Resources.Hugetlb(unifiedDir, limits, w);
                    return;
                }
                Require("hugetlb", field);
                return;
            }
            for (var i = 0; i < limits.Count; i++)
            {
                if (limits[i] is not { } h) continue;
                var file = $"hugetlb.{h.Pagesize}.limit_in_bytes";
                if (!CgroupResourceWriter.Exists(dir, file))
                    throw new CgroupException($"{field}[{i}].pageSize: hugepage size {h.Pagesize} is not supported on this host ({Path.Combine(dir, file)} does not exist)");
                var value = CgroupResourceWriter.Format(h.Limit);
                w.Write($"{field}[{i}].limit", dir, file, value);
                var rsvd = $"hugetlb.{h.Pagesize}.rsvd.limit_in_bytes";
                if (CgroupResourceWriter.Exists(dir, rsvd)) w.Write($"{field}[{i}].limit", dir, rsvd, value);
            }
        }

        public void Network(LinuxNetwork n)
        {
            if (n.ClassID is { } classId and not 0)
                w.Write("linux.resources.network.classID", Require("net_cls", "linux.resources.network.classID"), "net_cls.classid", CgroupResourceWriter.Format((ulong)classId));
            if (n.Priorities is { Count: > 0 } prios)
            {
                var dir = Require("net_prio", "linux.resources.network.priorities");
                for (var i = 0; i < prios.Count; i++)
                    if (prios[i] is { } p)
                        w.Write($"linux.resources.network.priorities[{i}]", dir, "net_prio.ifpriomap", $"{p.Name} {CgroupResourceWriter.Format((ulong)p.Priority)}");
            }
        }

        public void Rdma(Dictionary<string, LinuxRdma> rdma)
        {
            var dir = Require("rdma", "linux.resources.rdma");
            foreach (var (device, limit) in rdma.OrderBy(p => p.Key, StringComparer.Ordinal))
                w.Write($"linux.resources.rdma[\"{device}\"]", dir, "rdma.max", CgroupResourceFormat.RdmaMax(device, limit));
        }
    }
}
