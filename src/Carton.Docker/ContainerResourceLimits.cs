using Carton.Docker.Models;
using Carton.Oci;

namespace Carton.Docker;

/// <summary>
/// A container's HostConfig limits as OCI linux.resources groups (memory, cpu, pids), for create and for /update.
/// The CPU quota comes from NanoCpus (period 100 ms, as dockerd) or from CpuQuota/CpuPeriod; PidsLimit 0 or -1 is
/// unlimited.
/// </summary>
internal static class ContainerResourceLimits
{
    /// <summary>dockerd's linuxMinMemory.</summary>
    public const long MinimumMemory = 6 * 1024 * 1024;

    private const ulong NanoCpusPeriod = 100_000;

    public static LinuxMemory? Memory(HostConfig h) =>
        h.Memory > 0 || h.MemoryReservation > 0 || h.MemorySwap != 0
            ? new LinuxMemory
            {
                Limit = h.Memory > 0 ? h.Memory : null,
                Reservation = h.MemoryReservation > 0 ? h.MemoryReservation : null,
                Swap = h.MemorySwap != 0 ? h.MemorySwap : null,
            }
            : null;

    public static LinuxCpu? Cpu(HostConfig h)
    {
        if (h.NanoCpus <= 0 && h.CpuShares <= 0 && h.CpuQuota <= 0 && h.CpuPeriod <= 0 && string.IsNullOrEmpty(h.CpusetCpus) && string.IsNullOrEmpty(h.CpusetMems))
            return null;
        var cpu = new LinuxCpu();
        if (h.NanoCpus > 0)
        {
            cpu.Period = NanoCpusPeriod;
            cpu.Quota = Math.Max(1000, h.NanoCpus * (long)NanoCpusPeriod / 1_000_000_000);
        }
        else
        {
            if (h.CpuQuota > 0) cpu.Quota = h.CpuQuota;
            if (h.CpuPeriod > 0) cpu.Period = (ulong)h.CpuPeriod;
        }
        if (h.CpuShares > 0) cpu.Shares = (ulong)Math.Max(2, h.CpuShares);
        if (!string.IsNullOrEmpty(h.CpusetCpus)) cpu.Cpus = h.CpusetCpus;
        if (!string.IsNullOrEmpty(h.CpusetMems)) cpu.Mems = h.CpusetMems;
        return cpu;
    }

    public static LinuxPids? Pids(HostConfig h) => h.PidsLimit is { } p && p != 0 ? new LinuxPids { Limit = p > 0 ? p : -1 } : null;

    /// <summary>
    /// dockerd's checks of a resource update (daemon/daemon_unix.go verifyPlatformContainerResources, and
    /// container.UpdateContainer's conflicts with what the container already has), as 400s naming the field.
    /// </summary>
    public static void Validate(ContainerUpdateBody u, HostConfig current, string id)
    {
        if (u.Memory != 0 && u.Memory < MinimumMemory) throw DockerErrors.BadRequest("Minimum memory limit allowed is 6MB", "Memory");
        if (u.MemoryReservation != 0 && u.MemoryReservation < MinimumMemory) throw DockerErrors.BadRequest("Minimum memory reservation allowed is 6MB", "MemoryReservation");
        long memory = u.Memory != 0 ? u.Memory : current.Memory;
        if (u.MemorySwap > 0 && memory == 0) throw DockerErrors.BadRequest("You should always set the Memory limit when using Memoryswap limit, see usage", "MemorySwap");
        if (u.MemorySwap < -1) throw DockerErrors.BadRequest("invalid MemorySwap: must be -1 (unlimited) or at least Memory", "MemorySwap");
        if (u.MemorySwap > 0 && u.MemorySwap < memory) throw DockerErrors.BadRequest("Minimum memoryswap limit should be larger than memory limit, see usage", "MemorySwap");
        if (u.Memory != 0 && u.MemorySwap == 0 && current.MemorySwap > 0 && u.Memory > current.MemorySwap)
            throw DockerErrors.BadRequest($"Cannot update container {id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time", "MemorySwap");
        if (u.CpuShares < 0) throw DockerErrors.BadRequest("invalid CpuShares: must not be negative", "CpuShares");
        if (u.NanoCpus > 0 && u.CpuPeriod > 0) throw DockerErrors.BadRequest("Conflicting options: Nano CPUs and CPU Period cannot both be set", "NanoCpus");
        if (u.NanoCpus > 0 && u.CpuQuota > 0) throw DockerErrors.BadRequest("Conflicting options: Nano CPUs and CPU Quota cannot both be set", "NanoCpus");
        int cpus = Environment.ProcessorCount;
        if (u.NanoCpus < 0 || u.NanoCpus > cpus * 1_000_000_000L)
            throw DockerErrors.BadRequest($"Range of CPUs is from 0.01 to {cpus}.00, as there are only {cpus} CPUs available", "NanoCpus");
        if (u.CpuQuota < 0 && u.CpuQuota != -1) throw DockerErrors.BadRequest("invalid CpuQuota: must be -1 (unlimited) or at least 1000", "CpuQuota");
        if (u.CpuQuota > 0 && u.CpuQuota < 1000) throw DockerErrors.BadRequest("CPU cfs quota can not be less than 1ms (i.e. 1000)", "CpuQuota");
        if (u.CpuPeriod != 0 && (u.CpuPeriod < 1000 || u.CpuPeriod > 1_000_000))
            throw DockerErrors.BadRequest("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)", "CpuPeriod");
        if (u.NanoCpus > 0 && current.CpuPeriod > 0) throw DockerErrors.BadRequest($"Cannot update container {id}: Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set", "NanoCpus");
        if (u.NanoCpus > 0 && current.CpuQuota > 0) throw DockerErrors.BadRequest($"Cannot update container {id}: Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set", "NanoCpus");
        if (u.CpuPeriod > 0 && current.NanoCpus > 0) throw DockerErrors.BadRequest($"Cannot update container {id}: Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set", "CpuPeriod");
        if (u.CpuQuota > 0 && current.NanoCpus > 0) throw DockerErrors.BadRequest($"Cannot update container {id}: Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set", "CpuQuota");
        if (u.CpusetCpus is { Length: > 0 } set && !IsCpuList(set)) throw DockerErrors.BadRequest($"Invalid value {set} for cpuset cpus", "CpusetCpus");
        if (u.CpusetMems is { Length: > 0 } mems && !IsCpuList(mems)) throw DockerErrors.BadRequest($"Invalid value {mems} for cpuset mems", "CpusetMems");
    }

    /// <summary>"0-2,4": the list syntax of cpuset.cpus.</summary>
    private static bool IsCpuList(string s) =>
        s.Split(',').All(part => part.Split('-') is var r && r.Length is 1 or 2 && r.All(n => n.Length is > 0 and < 5 && n.All(char.IsAsciiDigit)));
}
