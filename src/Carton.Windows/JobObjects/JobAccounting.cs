namespace Carton.Windows.JobObjects;

/// <summary>
/// What a job has used: QueryInformationJobObject's JobObjectBasicAndIoAccountingInformation and the peaks of
/// JobObjectExtendedLimitInformation. The counterpart of a cgroup's cpu.stat, io.stat and memory.peak.
/// </summary>
public sealed record JobAccounting
{
    /// <summary>User-mode CPU time of every process the job has had, exited ones included.</summary>
    public TimeSpan TotalUserTime { get; init; }

    /// <summary>Kernel-mode CPU time of every process the job has had.</summary>
    public TimeSpan TotalKernelTime { get; init; }

    /// <summary>Page faults of every process the job has had.</summary>
    public uint TotalPageFaults { get; init; }

    /// <summary>Processes that have been in the job.</summary>
    public uint TotalProcesses { get; init; }

    /// <summary>Processes in the job now.</summary>
    public uint ActiveProcesses { get; init; }

    /// <summary>Processes terminated because of a limit.</summary>
    public uint TotalTerminatedProcesses { get; init; }

    /// <summary>Read operations.</summary>
    public ulong ReadOperations { get; init; }

    /// <summary>Write operations.</summary>
    public ulong WriteOperations { get; init; }

    /// <summary>Other I/O operations.</summary>
    public ulong OtherOperations { get; init; }

    /// <summary>Bytes read.</summary>
    public ulong ReadBytes { get; init; }

    /// <summary>Bytes written.</summary>
    public ulong WriteBytes { get; init; }

    /// <summary>Bytes of other I/O.</summary>
    public ulong OtherBytes { get; init; }

    /// <summary>The most committed memory any one process of the job has had, in bytes.</summary>
    public ulong PeakProcessMemory { get; init; }

    /// <summary>The most committed memory the job as a whole has had, in bytes.</summary>
    public ulong PeakJobMemory { get; init; }
}
