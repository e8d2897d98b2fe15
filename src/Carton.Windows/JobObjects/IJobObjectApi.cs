using System.Runtime.InteropServices;

namespace Carton.Windows.JobObjects;

/// <summary>
/// The seam in front of kernel32's job object and completion port functions: one method a call, the structures as
/// they are passed. <see cref="Kernel32JobObjectApi"/> is the real one (Windows only); tests use a fake. Handles are
/// plain <see cref="SafeHandle"/>s so a fake can hand out its own; every failure throws a
/// <see cref="JobObjectException"/> naming the call.
/// </summary>
internal interface IJobObjectApi
{
    /// <summary>CreateJobObjectW(NULL, name): a new job (or the named one).</summary>
    SafeHandle CreateJobObject(string? name);

    /// <summary>SetInformationJobObject(JobObjectExtendedLimitInformation).</summary>
    void SetExtendedLimits(SafeHandle job, in JobObjectExtendedLimitInformation info);

    /// <summary>SetInformationJobObject(JobObjectCpuRateControlInformation).</summary>
    void SetCpuRateControl(SafeHandle job, in JobObjectCpuRateControlInformation info);

    /// <summary>SetInformationJobObject(JobObjectAssociateCompletionPortInformation).</summary>
    void AssociateCompletionPort(SafeHandle job, SafeHandle port, nuint completionKey);

    /// <summary>QueryInformationJobObject(JobObjectBasicAndIoAccountingInformation).</summary>
    JobObjectBasicAndIoAccountingInformation QueryBasicAndIoAccounting(SafeHandle job);

    /// <summary>QueryInformationJobObject(JobObjectExtendedLimitInformation): the limits and the memory peaks.</summary>
    JobObjectExtendedLimitInformation QueryExtendedLimits(SafeHandle job);

    /// <summary>AssignProcessToJobObject.</summary>
    void AssignProcess(SafeHandle job, SafeHandle process);

    /// <summary>TerminateJobObject.</summary>
    void Terminate(SafeHandle job, uint exitCode);

    /// <summary>CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1): a port of its own.</summary>
    SafeHandle CreateCompletionPort();

    /// <summary>GetQueuedCompletionStatus(INFINITE): blocks for the next packet; false when the port was closed.</summary>
    bool GetQueuedCompletionStatus(SafeHandle port, out uint bytes, out nuint key, out nint overlapped);

    /// <summary>PostQueuedCompletionStatus: queues a packet (Carton's own wake-up when the job is disposed).</summary>
    void PostQueuedCompletionStatus(SafeHandle port, uint bytes, nuint key, nint overlapped);
}
