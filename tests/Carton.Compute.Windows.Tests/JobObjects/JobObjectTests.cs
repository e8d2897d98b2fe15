using Carton.Windows.JobObjects;

namespace Carton.Compute.Windows.Tests.JobObjects;

/// <summary>The JobObject class against a recording fake of kernel32: the calls and flags, the notifications, and
/// that no handle is left open on any error path.</summary>
public class JobObjectTests
{
    private static readonly JobLimits Limits = new() { CpuRate = 1250, JobMemoryLimit = 536_870_912, ActiveProcessLimit = 10 };

    [Fact]
    public void Create_sets_limits_then_the_port_in_order()
    {
        var api = new FakeJobObjectApi();
        using (var job = JobObject.Create(api, Limits, "carton-1", notifications: true))
        {
            Assert.Equal("carton-1", api.CreatedName);
            Assert.Equal(["CreateJobObject", "SetExtendedLimits", "SetCpuRateControl", "CreateCompletionPort", "AssociateCompletionPort"], api.Calls);
            Assert.Equal(0x2208u, api.ExtendedLimits[0].BasicLimitInformation.LimitFlags); // KILL_ON_JOB_CLOSE|JOB_MEMORY|ACTIVE_PROCESS
            Assert.Equal((nuint)536_870_912, api.ExtendedLimits[0].JobMemoryLimit);
            Assert.Equal(5u, api.CpuRates[0].ControlFlags);
            Assert.Equal(1250u, api.CpuRates[0].CpuRate);
            Assert.Equal(JobObject.CompletionKey, api.AssociatedKey);
            Assert.Same(api.Handles[1], api.AssociatedPort);
        }
        Assert.All(api.Handles, h => Assert.True(h.Released, $"{h.Kind} handle left open"));
    }

    [Fact]
    public void No_cpu_rate_means_no_rate_call_and_no_port_without_notifications()
    {
        var api = new FakeJobObjectApi();
        using (JobObject.Create(api, new JobLimits(), null, notifications: false)) { }
        Assert.Equal(["CreateJobObject", "SetExtendedLimits"], api.Calls);
        Assert.Single(api.Handles);
        Assert.True(api.Handles[0].Released);
    }

    [Theory]
    [InlineData("SetExtendedLimits")]
    [InlineData("SetCpuRateControl")]
    [InlineData("CreateCompletionPort")]
    [InlineData("AssociateCompletionPort")]
    public void A_failed_step_closes_every_handle_made(string failing)
    {
        var api = new FakeJobObjectApi();
        api.FailWith[failing] = 87;
        var e = Assert.Throws<JobObjectException>(() => JobObject.Create(api, Limits, "carton-1", notifications: true));
        Assert.Equal(failing, e.Call);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("ERROR_INVALID_PARAMETER", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(api.Handles);
        Assert.All(api.Handles, h => Assert.True(h.Released, $"{h.Kind} handle left open after {failing} failed"));
    }

    [Fact]
    public void Invalid_limits_are_refused_before_any_call()
    {
        var api = new FakeJobObjectApi();
        Assert.ThrowsAny<CartonException>(() => JobObject.Create(api, new JobLimits { JobMemoryLimit = 0 }, null, true));
        Assert.Empty(api.Calls);
    }

    [Fact]
    public void Assign_terminate_and_set_limits_go_to_the_job_handle()
    {
        var api = new FakeJobObjectApi();
        using var process = new FakeKernelHandle("process", 42);
        using (var job = JobObject.Create(api, Limits, null, notifications: false))
        {
            job.AssignProcess(process);
            job.SetLimits(new JobLimits { ProcessMemoryLimit = 1 << 30 });
            job.Terminate(137);
            Assert.Same(process, api.Assigned[0].Process);
            Assert.Same(api.Handles[0], api.Assigned[0].Job);
            Assert.Equal(137u, api.TerminatedWith);
            // The new limits: process memory only, and the CPU cap turned off (it was on).
            Assert.Equal(0x2100u, api.ExtendedLimits[1].BasicLimitInformation.LimitFlags);
            Assert.Equal(0u, api.CpuRates[1].ControlFlags);
        }
        Assert.False(process.Released); // the caller's process handle is the caller's
        var disposed = JobObject.Create(api, Limits, null, false);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.Terminate(1));
    }

    [Fact]
    public void Accounting_reads_both_information_classes()
    {
        var api = new FakeJobObjectApi();
        var acct = default(JobObjectBasicAndIoAccountingInformation);
        acct.BasicInfo.TotalUserTime = 25_000_000; // 2.5 s in 100 ns units
        acct.BasicInfo.TotalKernelTime = 10_000_000;
        acct.BasicInfo.TotalProcesses = 3;
        acct.BasicInfo.ActiveProcesses = 1;
        acct.IoInfo.ReadTransferCount = 4096;
        acct.IoInfo.WriteOperationCount = 9;
        api.Accounting = acct;
        var limits = default(JobObjectExtendedLimitInformation);
        limits.PeakJobMemoryUsed = 1 << 20;
        limits.PeakProcessMemoryUsed = 1 << 19;
        api.QueriedLimits = limits;
        using var job = JobObject.Create(api, Limits, null, notifications: false);
        var a = job.QueryAccounting();
        Assert.Equal(TimeSpan.FromSeconds(2.5), a.TotalUserTime);
        Assert.Equal(TimeSpan.FromSeconds(1), a.TotalKernelTime);
        Assert.Equal(3u, a.TotalProcesses);
        Assert.Equal(1u, a.ActiveProcesses);
        Assert.Equal(4096UL, a.ReadBytes);
        Assert.Equal(9UL, a.WriteOperations);
        Assert.Equal(1UL << 20, a.PeakJobMemory);
        Assert.Equal(1UL << 19, a.PeakProcessMemory);
    }

    [Fact]
    public async Task Port_messages_become_an_async_stream_that_ends_on_dispose()
    {
        var api = new FakeJobObjectApi();
        var job = JobObject.Create(api, Limits, "carton-1", notifications: true);
        api.KernelPosts(JobMessage.NewProcess, overlapped: 1234);
        api.KernelPosts(JobMessage.JobMemoryLimit, overlapped: 1234);
        api.KernelPosts(JobMessage.NewProcess, overlapped: 99, key: 7); // another key's packet: not the job's
        api.KernelPosts(JobMessage.ExitProcess, overlapped: 1234);
        api.KernelPosts(JobMessage.ActiveProcessZero);

        var seen = new List<JobNotification>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var n in job.ReadNotificationsAsync(timeout.Token))
        {
            seen.Add(n);
            if (n.Message == JobMessage.ActiveProcessZero) break;
        }
        Assert.Equal(
            [new(JobMessage.NewProcess, 1234u), new(JobMessage.JobMemoryLimit, 1234u), new(JobMessage.ExitProcess, 1234u), new(JobMessage.ActiveProcessZero, null)],
            seen);

        job.Dispose(); // posts Carton's stop packet and joins the reader
        Assert.Contains("PostQueuedCompletionStatus", api.Calls);
        var rest = new List<JobNotification>();
        await foreach (var n in job.ReadNotificationsAsync(timeout.Token)) rest.Add(n);
        Assert.Empty(rest);
        Assert.All(api.Handles, h => Assert.True(h.Released));
    }

    [Fact]
    public void Notifications_of_a_job_without_a_port_are_an_invalid_state()
    {
        using var job = JobObject.Create(new FakeJobObjectApi(), Limits, null, notifications: false);
        Assert.Equal(ErrorKind.InvalidState, Assert.Throws<JobObjectException>(() => job.ReadNotificationsAsync()).Kind);
    }

    [Fact]
    public void Create_on_this_host_is_unsupported_not_a_crash()
    {
        if (OperatingSystem.IsWindows()) return; // the real kernel32 is there: nothing to show
        var e = Assert.Throws<JobObjectException>(() => JobObject.Create(Limits));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
    }
}
