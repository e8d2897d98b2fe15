using System.Globalization;

namespace Carton.Windows.JobObjects;

/// <summary>
/// The limits of a <see cref="JobObject"/>, in the units the job object takes, and the arithmetic from the units
/// people and documents give them in (Docker's flags, the OCI runtime spec's <c>windows.resources</c>).
/// </summary>
/// <remarks>
/// CPU: a job's hard cap is a rate in cycles per 10,000 across ALL the host's processors
/// (JOBOBJECT_CPU_RATE_CONTROL_INFORMATION.CpuRate with JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP): 10,000 is every
/// processor fully, whatever their number, so "half a CPU" is a different rate on every host. Docker computes it as
/// moby's daemon/oci_windows.go setResourcesInSpec does (NanoCPUs / NumCPU / (1e9 / 10000), integer division, at
/// least 1); Carton does the same and also caps the result at 10,000, the job object's maximum (Docker refuses
/// <c>--cpus</c> above the host's CPU count up front instead, in verifyPlatformContainerResources; hcsshim clamps
/// to [1, 10000] where it computes the value itself, as kubelet does).
/// Memory: bytes of committed memory (JobMemoryLimit, ProcessMemoryLimit), the number Docker's <c>--memory</c>
/// becomes. Processes: ActiveProcessLimit, the counterpart of pids.max.
/// </remarks>
public sealed record JobLimits
{
    /// <summary>The most a CPU rate can be: every processor, fully.</summary>
    public const uint MaxCpuRate = 10_000;

    /// <summary>The hard cap, 1..<see cref="MaxCpuRate"/> cycles per 10,000 across all processors; null: no cap.</summary>
    public uint? CpuRate { get; init; }

    /// <summary>Bytes of committed memory the whole job may have; null: no limit.</summary>
    public ulong? JobMemoryLimit { get; init; }

    /// <summary>Bytes of committed memory each process may have; null: no limit.</summary>
    public ulong? ProcessMemoryLimit { get; init; }

    /// <summary>How many processes may be in the job at once; null: no limit.</summary>
    public uint? ActiveProcessLimit { get; init; }

    /// <summary>Every process of the job is killed when the last handle to the job closes (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE):
    /// a Carton crash then takes the container's processes with it, as a cgroup's kill does. On by default.</summary>
    public bool KillOnClose { get; init; } = true;

    /// <summary>
    /// The rate Docker sets for <c>--cpus</c>, from the NanoCPUs the flag becomes: nanoCpus / hostProcessors /
    /// 100,000 (integer division), at least 1, at most <see cref="MaxCpuRate"/>. --cpus 0.5 on 4 CPUs is 1250.
    /// </summary>
    public static uint CpuRateFromNanoCpus(long nanoCpus, int hostProcessors)
    {
        if (nanoCpus <= 0) throw Invalid("NanoCpus", $"{nanoCpus} is not a positive number of billionths of a CPU");
        if (hostProcessors <= 0) throw Invalid("hostProcessors", $"{hostProcessors} is not a processor count");
        long rate = nanoCpus / hostProcessors / (1_000_000_000 / MaxCpuRate);
        return (uint)Math.Clamp(rate, 1, MaxCpuRate);
    }

    /// <summary>
    /// The rate for Docker's <c>--cpus</c> flag as typed ("0.5", "2"): the docker CLI turns it into NanoCPUs exactly
    /// (a rational times 1e9, refused when that is not a whole number: "value is too precise"), then
    /// <see cref="CpuRateFromNanoCpus"/>.
    /// </summary>
    public static uint CpuRateFromCpusFlag(string cpus, int hostProcessors)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        if (!decimal.TryParse(cpus, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            throw Invalid("cpus", $"\"{cpus}\" is not a number of CPUs");
        var nano = value * 1_000_000_000m;
        if (nano != decimal.Truncate(nano)) throw Invalid("cpus", $"\"{cpus}\" is too precise (the unit is a billionth of a CPU)");
        if (nano > long.MaxValue) throw Invalid("cpus", $"\"{cpus}\" is too large");
        return CpuRateFromNanoCpus((long)nano, hostProcessors);
    }

    /// <summary>The rate Docker sets for <c>--cpu-percent</c> (1..100): percent × 100.</summary>
    public static uint CpuRateFromPercent(int percent)
    {
        if (percent is < 1 or > 100) throw Invalid("CpuPercent", $"{percent} is outside 1..100");
        return (uint)percent * 100;
    }

    /// <summary>
    /// The rate for OCI's <c>windows.resources.cpu.maximum</c>, which the runtime spec defines in this very unit
    /// ("the portion of processor cycles … as a percentage times 100"): taken as it is, refused outside 1..10,000.
    /// </summary>
    public static uint CpuRateFromOciMaximum(ulong maximum)
    {
        if (maximum is < 1 or > MaxCpuRate)
            throw Invalid("windows.resources.cpu.maximum", $"{maximum} is outside 1..{MaxCpuRate}");
        return (uint)maximum;
    }

    /// <summary>The rate for a whole number of processors (OCI's <c>windows.resources.cpu.count</c> applied to a
    /// job, as hcsshim's job containers do): count × 10,000 / hostProcessors, at least 1, at most 10,000.</summary>
    public static uint CpuRateFromProcessorCount(uint count, int hostProcessors)
    {
        if (hostProcessors <= 0) throw Invalid("hostProcessors", $"{hostProcessors} is not a processor count");
        ulong rate = (ulong)count * MaxCpuRate / (ulong)hostProcessors;
        return (uint)Math.Clamp(rate, 1UL, MaxCpuRate);
    }

    /// <summary>
    /// Bytes for Docker's <c>--memory</c> flag ("512m", "1.5g", "1024"): the docker CLI's RAMInBytes (go-units):
    /// a number, an optional space, an optional unit b/k/m/g/t/p (powers of 1024, either case), an optional "i" and
    /// "b"; the product is truncated to whole bytes.
    /// </summary>
    public static ulong MemoryFromDockerFlag(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int i = 0;
        while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.')) i++;
        var number = value[..i];
        var rest = value[i..];
        if (rest.StartsWith(' ')) rest = rest[1..];
        ulong unit = 1;
        if (rest.Length > 0)
        {
            unit = char.ToLowerInvariant(rest[0]) switch
            {
                'k' => 1UL << 10, 'm' => 1UL << 20, 'g' => 1UL << 30, 't' => 1UL << 40, 'p' => 1UL << 50,
                _ => 0,
            };
            if (unit != 0) rest = rest[1..]; else unit = 1;
            if (rest.Length > 0 && rest[0] is 'i' or 'I') rest = rest[1..];
            if (rest.Length > 0 && rest[0] is 'b' or 'B') rest = rest[1..];
        }
        if (number.Length == 0 || number[0] == '.' || number[^1] == '.' || rest.Length > 0
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            throw Invalid("memory", $"\"{value}\" is not a size (a number and a unit: 512m, 2g)");
        var bytes = decimal.Truncate(n * unit);
        if (bytes > ulong.MaxValue) throw Invalid("memory", $"\"{value}\" is too large");
        return (ulong)bytes;
    }

    /// <summary>Refuses a limit the job object would refuse (or that means nothing), naming it.</summary>
    public void Validate()
    {
        if (CpuRate is { } rate && rate is < 1 or > MaxCpuRate) throw Invalid(nameof(CpuRate), $"{rate} is outside 1..{MaxCpuRate}");
        if (JobMemoryLimit is 0) throw Invalid(nameof(JobMemoryLimit), "0 bytes: no process could run");
        if (ProcessMemoryLimit is 0) throw Invalid(nameof(ProcessMemoryLimit), "0 bytes: no process could run");
        if (ActiveProcessLimit is 0) throw Invalid(nameof(ActiveProcessLimit), "0 processes: nothing could be assigned");
        if (JobMemoryLimit is { } j && j > nuint.MaxValue) throw Invalid(nameof(JobMemoryLimit), $"{j} does not fit a SIZE_T on this platform");
        if (ProcessMemoryLimit is { } p && p > nuint.MaxValue) throw Invalid(nameof(ProcessMemoryLimit), $"{p} does not fit a SIZE_T on this platform");
    }

    /// <summary>The JOBOBJECT_EXTENDED_LIMIT_INFORMATION these limits set (the flags say which fields count).</summary>
    internal JobObjectExtendedLimitInformation ToExtendedLimits()
    {
        var info = default(JobObjectExtendedLimitInformation);
        var flags = JobLimitFlags.None;
        if (KillOnClose) flags |= JobLimitFlags.KillOnJobClose;
        if (JobMemoryLimit is { } job) { flags |= JobLimitFlags.JobMemory; info.JobMemoryLimit = (nuint)job; }
        if (ProcessMemoryLimit is { } process) { flags |= JobLimitFlags.ProcessMemory; info.ProcessMemoryLimit = (nuint)process; }
        if (ActiveProcessLimit is { } count) { flags |= JobLimitFlags.ActiveProcess; info.BasicLimitInformation.ActiveProcessLimit = count; }
        info.BasicLimitInformation.LimitFlags = (uint)flags;
        return info;
    }

    /// <summary>The JOBOBJECT_CPU_RATE_CONTROL_INFORMATION these limits set: a hard cap at <see cref="CpuRate"/>, or
    /// rate control off (ControlFlags 0) when there is none.</summary>
    internal JobObjectCpuRateControlInformation ToCpuRateControl() => CpuRate is { } rate
        ? new() { ControlFlags = (uint)(CpuRateControlFlags.Enable | CpuRateControlFlags.HardCap), CpuRate = rate }
        : default;

    private static JobObjectException Invalid(string field, string why) =>
        new(ErrorKind.InvalidDocument, "JobLimits", $"{field}: {why}", field);
}
