using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Carton.Windows.JobObjects;

namespace Carton.Compute.Windows.Tests.JobObjects;

/// <summary>A handle of the fake: it records that it was released (the real one would CloseHandle).</summary>
internal sealed class FakeKernelHandle : SafeHandle
{
    public FakeKernelHandle(string kind, nint value) : base(0, ownsHandle: true)
    {
        Kind = kind;
        SetHandle(value);
    }

    public string Kind { get; }
    public bool Released { get; private set; }
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Released = true;
        return true;
    }
}

/// <summary>
/// A recording <see cref="IJobObjectApi"/>: every call is logged by name, the structures set are kept, a call can be
/// made to fail by name (as kernel32 would, with a Win32 error), and the completion port is a queue the test posts
/// job messages to.
/// </summary>
internal sealed class FakeJobObjectApi : IJobObjectApi
{
    private readonly BlockingCollection<(uint Bytes, nuint Key, nint Overlapped)> _port = new();
    private nint _next = 0x100;

    public List<string> Calls { get; } = [];
    public List<FakeKernelHandle> Handles { get; } = [];
    public Dictionary<string, int> FailWith { get; } = new(StringComparer.Ordinal);
    public List<JobObjectExtendedLimitInformation> ExtendedLimits { get; } = [];
    public List<JobObjectCpuRateControlInformation> CpuRates { get; } = [];
    public nuint? AssociatedKey { get; private set; }
    public SafeHandle? AssociatedPort { get; private set; }
    public string? CreatedName { get; private set; }
    public JobObjectBasicAndIoAccountingInformation Accounting { get; set; }
    public JobObjectExtendedLimitInformation QueriedLimits { get; set; }
    public List<(SafeHandle Process, SafeHandle Job)> Assigned { get; } = [];
    public uint? TerminatedWith { get; private set; }

    private void Enter(string call)
    {
        lock (Calls) Calls.Add(call);
        if (FailWith.TryGetValue(call, out var error)) throw new JobObjectException(call, "fake", error);
    }

    private FakeKernelHandle NewHandle(string kind)
    {
        var h = new FakeKernelHandle(kind, _next++);
        Handles.Add(h);
        return h;
    }

    public SafeHandle CreateJobObject(string? name) { Enter(nameof(CreateJobObject)); CreatedName = name; return NewHandle("job"); }

    public void SetExtendedLimits(SafeHandle job, in JobObjectExtendedLimitInformation info)
    { Enter(nameof(SetExtendedLimits)); ExtendedLimits.Add(info); }

    public void SetCpuRateControl(SafeHandle job, in JobObjectCpuRateControlInformation info)
    { Enter(nameof(SetCpuRateControl)); CpuRates.Add(info); }

    public void AssociateCompletionPort(SafeHandle job, SafeHandle port, nuint completionKey)
    { Enter(nameof(AssociateCompletionPort)); AssociatedKey = completionKey; AssociatedPort = port; }

    public JobObjectBasicAndIoAccountingInformation QueryBasicAndIoAccounting(SafeHandle job)
    { Enter(nameof(QueryBasicAndIoAccounting)); return Accounting; }

    public JobObjectExtendedLimitInformation QueryExtendedLimits(SafeHandle job)
    { Enter(nameof(QueryExtendedLimits)); return QueriedLimits; }

    public void AssignProcess(SafeHandle job, SafeHandle process) { Enter(nameof(AssignProcess)); Assigned.Add((process, job)); }

    public void Terminate(SafeHandle job, uint exitCode) { Enter(nameof(Terminate)); TerminatedWith = exitCode; }

    public SafeHandle CreateCompletionPort() { Enter(nameof(CreateCompletionPort)); return NewHandle("port"); }

    public bool GetQueuedCompletionStatus(SafeHandle port, out uint bytes, out nuint key, out nint overlapped)
    {
        if (!_port.TryTake(out var p, TimeSpan.FromSeconds(30))) { bytes = 0; key = 0; overlapped = 0; return false; }
        (bytes, key, overlapped) = p;
        return true;
    }

    public void PostQueuedCompletionStatus(SafeHandle port, uint bytes, nuint key, nint overlapped)
    {
        Enter(nameof(PostQueuedCompletionStatus));
        _port.Add((bytes, key, overlapped));
    }

    /// <summary>What the kernel does when something happens in the job.</summary>
    public void KernelPosts(JobMessage message, nint overlapped = 0, nuint key = JobObject.CompletionKey) =>
        _port.Add(((uint)message, key, overlapped));
}
