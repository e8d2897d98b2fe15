using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Carton.Windows.JobObjects;

/// <summary>The real <see cref="IJobObjectApi"/>: kernel32 through <see cref="JobObjectNative"/>.</summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class Kernel32JobObjectApi(string jobName) : IJobObjectApi
{
    private const uint Infinite = 0xFFFF_FFFF;
    private static readonly nint InvalidHandleValue = -1;

    public SafeHandle CreateJobObject(string? name)
    {
        var h = JobObjectNative.CreateJobObjectW(0, name);
        if (h == 0) throw Failed("CreateJobObjectW");
        return new SafeKernelHandle(h);
    }

    public void SetExtendedLimits(SafeHandle job, in JobObjectExtendedLimitInformation info)
    {
        fixed (JobObjectExtendedLimitInformation* p = &info)
            if (JobObjectNative.SetInformationJobObject(job, JobObjectInfoClass.ExtendedLimitInformation, p, (uint)sizeof(JobObjectExtendedLimitInformation)) == 0)
                throw Failed("SetInformationJobObject(JobObjectExtendedLimitInformation)");
    }

    public void SetCpuRateControl(SafeHandle job, in JobObjectCpuRateControlInformation info)
    {
        fixed (JobObjectCpuRateControlInformation* p = &info)
            if (JobObjectNative.SetInformationJobObject(job, JobObjectInfoClass.CpuRateControlInformation, p, (uint)sizeof(JobObjectCpuRateControlInformation)) == 0)
                throw Failed("SetInformationJobObject(JobObjectCpuRateControlInformation)");
    }

    public void AssociateCompletionPort(SafeHandle job, SafeHandle port, nuint completionKey)
    {
        bool added = false;
        port.DangerousAddRef(ref added);
        try
        {
            var info = new JobObjectAssociateCompletionPort { CompletionKey = completionKey, CompletionPort = port.DangerousGetHandle() };
            if (JobObjectNative.SetInformationJobObject(job, JobObjectInfoClass.AssociateCompletionPortInformation, &info, (uint)sizeof(JobObjectAssociateCompletionPort)) == 0)
                throw Failed("SetInformationJobObject(JobObjectAssociateCompletionPortInformation)");
        }
        finally
        {
            if (added) port.DangerousRelease();
        }
    }

    public JobObjectBasicAndIoAccountingInformation QueryBasicAndIoAccounting(SafeHandle job)
    {
        JobObjectBasicAndIoAccountingInformation info;
        if (JobObjectNative.QueryInformationJobObject(job, JobObjectInfoClass.BasicAndIoAccountingInformation, &info, (uint)sizeof(JobObjectBasicAndIoAccountingInformation), null) == 0)
            throw Failed("QueryInformationJobObject(JobObjectBasicAndIoAccountingInformation)");
        return info;
    }

    public JobObjectExtendedLimitInformation QueryExtendedLimits(SafeHandle job)
    {
        JobObjectExtendedLimitInformation info;
        if (JobObjectNative.QueryInformationJobObject(job, JobObjectInfoClass.ExtendedLimitInformation, &info, (uint)sizeof(JobObjectExtendedLimitInformation), null) == 0)
            throw Failed("QueryInformationJobObject(JobObjectExtendedLimitInformation)");
        return info;
    }

    public void AssignProcess(SafeHandle job, SafeHandle process)
    {
        if (JobObjectNative.AssignProcessToJobObject(job, process) == 0) throw Failed("AssignProcessToJobObject");
    }

    public void Terminate(SafeHandle job, uint exitCode)
    {
        if (JobObjectNative.TerminateJobObject(job, exitCode) == 0) throw Failed("TerminateJobObject");
    }

    public SafeHandle CreateCompletionPort()
    {
        // One concurrent thread: Carton reads the port from one thread only.
        var h = JobObjectNative.CreateIoCompletionPort(InvalidHandleValue, 0, 0, 1);
        if (h == 0) throw Failed("CreateIoCompletionPort");
        return new SafeKernelHandle(h);
    }

    public bool GetQueuedCompletionStatus(SafeHandle port, out uint bytes, out nuint key, out nint overlapped)
    {
        uint b; nuint k; nint o;
        int ok = JobObjectNative.GetQueuedCompletionStatus(port, &b, &k, &o, Infinite);
        bytes = b; key = k; overlapped = o;
        // FALSE with a NULL overlapped is a failure of the wait itself: the port was closed (ERROR_ABANDONED_WAIT_0)
        // or the handle is bad. Job packets never carry an I/O failure, so that is the only FALSE that matters.
        return ok != 0;
    }

    public void PostQueuedCompletionStatus(SafeHandle port, uint bytes, nuint key, nint overlapped)
    {
        if (JobObjectNative.PostQueuedCompletionStatus(port, bytes, key, overlapped) == 0) throw Failed("PostQueuedCompletionStatus");
    }

    private JobObjectException Failed(string call) => new(call, jobName, Marshal.GetLastPInvokeError());
}
