using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Carton.Windows.JobObjects;

/// <summary>
/// A Windows job object: the Windows counterpart of a cgroup. Processes assigned to it share its limits (a hard CPU
/// cap, committed-memory limits for the job and for each process, a process count), are accounted together (CPU
/// time, I/O, peak memory), are killed together (<see cref="Terminate"/>, or the last handle closing with
/// <see cref="JobLimits.KillOnClose"/>), and the job reports what happens to them on an I/O completion port
/// (<see cref="ReadNotificationsAsync"/>: new process, exit, memory limit hit, no process left). The Windows backend
/// uses it for processes HCS does not own; HCS itself puts each process-isolated container in a job (a silo) of its
/// own.
/// </summary>
/// <remarks>
/// Differences from a cgroup, for a reader who knows Linux: a memory limit fails the allocation (the process gets an
/// out-of-memory error and the job a JobMemoryLimit message) instead of invoking an OOM killer; the CPU cap is a
/// share of the whole host, not a quota per period; there is no hierarchy to walk (nested jobs exist, Carton does not
/// use them). Only built on Windows: <see cref="Create(JobLimits, string?, bool)"/> throws Unsupported elsewhere.
/// </remarks>
public sealed class JobObject : IDisposable
{
    /// <summary>The key the job's packets carry on the port; anything else on it is not the job's.</summary>
    internal const nuint CompletionKey = 0x4A4F42; // "JOB"

    /// <summary>The key of Carton's own packet that stops the reader when the job is disposed.</summary>
    internal const nuint StopKey = 0x53544F50; // "STOP"

    private readonly IJobObjectApi _api;
    private readonly SafeHandle _job;
    private readonly SafeHandle? _port;
    private readonly Channel<JobNotification>? _notifications;
    private readonly Thread? _reader;
    private int _disposed;

    private JobObject(IJobObjectApi api, SafeHandle job, SafeHandle? port, string name, JobLimits limits)
    {
        _api = api;
        _job = job;
        _port = port;
        Name = name;
        Limits = limits;
        if (port is not null)
        {
            _notifications = Channel.CreateUnbounded<JobNotification>(new UnboundedChannelOptions { SingleWriter = true });
            _reader = new Thread(ReadPort) { IsBackground = true, Name = $"job {name} port" };
            _reader.Start();
        }
    }

    /// <summary>The job's name, or "(unnamed job)".</summary>
    public string Name { get; }

    /// <summary>The limits last set.</summary>
    public JobLimits Limits { get; private set; }

    /// <summary>
    /// A new job with <paramref name="limits"/>; with <paramref name="notifications"/> its completion port is set up
    /// and read. Windows only: elsewhere an Unsupported <see cref="JobObjectException"/>.
    /// </summary>
    /// <param name="limits">The limits (validated first).</param>
    /// <param name="name">A name in the session's object namespace, or null for an anonymous job.</param>
    /// <param name="notifications">Whether to associate a completion port and read its messages.</param>
    public static JobObject Create(JobLimits limits, string? name = null, bool notifications = true)
    {
        if (!OperatingSystem.IsWindows())
            throw new JobObjectException(ErrorKind.Unsupported, "CreateJobObjectW",
                "job objects are a Windows primitive and this host is not Windows (on Linux, cgroups do this: Carton.Linux)");
        return Create(new Kernel32JobObjectApi(name ?? "(unnamed job)"), limits, name, notifications);
    }

    /// <summary>
    /// The same over <paramref name="api"/>: create the job, set its limits, then the port. Whatever step fails, every
    /// handle made so far is closed before the error goes up (a job with KillOnClose and no process is simply gone).
    /// </summary>
    internal static JobObject Create(IJobObjectApi api, JobLimits limits, string? name, bool notifications)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        SafeHandle? job = null, port = null;
        try
        {
            job = api.CreateJobObject(name);
            api.SetExtendedLimits(job, limits.ToExtendedLimits());
            if (limits.CpuRate is not null) api.SetCpuRateControl(job, limits.ToCpuRateControl());
            if (notifications)
            {
                port = api.CreateCompletionPort();
                api.AssociateCompletionPort(job, port, CompletionKey);
            }
            return new JobObject(api, job, port, name ?? "(unnamed job)", limits);
        }
        catch
        {
            port?.Dispose();
            job?.Dispose();
            throw;
        }
    }

    /// <summary>Sets new limits on the running job (memory, process count, kill-on-close, and the CPU cap: a null
    /// <see cref="JobLimits.CpuRate"/> turns rate control off).</summary>
    public void SetLimits(JobLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ThrowIfDisposed();
        limits.Validate();
        _api.SetExtendedLimits(_job, limits.ToExtendedLimits());
        if (limits.CpuRate is not null || Limits.CpuRate is not null) _api.SetCpuRateControl(_job, limits.ToCpuRateControl());
        Limits = limits;
    }

    /// <summary>Puts <paramref name="process"/> (a handle with PROCESS_SET_QUOTA and PROCESS_TERMINATE) in the job;
    /// its children follow it in.</summary>
    public void AssignProcess(SafeHandle process)
    {
        ArgumentNullException.ThrowIfNull(process);
        ThrowIfDisposed();
        _api.AssignProcess(_job, process);
    }

    /// <summary>Kills every process of the job with <paramref name="exitCode"/>.</summary>
    public void Terminate(uint exitCode)
    {
        ThrowIfDisposed();
        _api.Terminate(_job, exitCode);
    }

    /// <summary>What the job has used so far.</summary>
    public JobAccounting QueryAccounting()
    {
        ThrowIfDisposed();
        var io = _api.QueryBasicAndIoAccounting(_job);
        var limits = _api.QueryExtendedLimits(_job);
        return new JobAccounting
        {
            TotalUserTime = TimeSpan.FromTicks(io.BasicInfo.TotalUserTime), // both in 100 ns units
            TotalKernelTime = TimeSpan.FromTicks(io.BasicInfo.TotalKernelTime),
            TotalPageFaults = io.BasicInfo.TotalPageFaultCount,
            TotalProcesses = io.BasicInfo.TotalProcesses,
            ActiveProcesses = io.BasicInfo.ActiveProcesses,
            TotalTerminatedProcesses = io.BasicInfo.TotalTerminatedProcesses,
            ReadOperations = io.IoInfo.ReadOperationCount,
            WriteOperations = io.IoInfo.WriteOperationCount,
            OtherOperations = io.IoInfo.OtherOperationCount,
            ReadBytes = io.IoInfo.ReadTransferCount,
            WriteBytes = io.IoInfo.WriteTransferCount,
            OtherBytes = io.IoInfo.OtherTransferCount,
            PeakProcessMemory = limits.PeakProcessMemoryUsed,
            PeakJobMemory = limits.PeakJobMemoryUsed,
        };
    }

    /// <summary>
    /// The job's messages as they come, until the job is disposed (the stream then ends). One reader: two readers
    /// would each get some of the messages. The kernel does not queue a message it cannot post (a full port), so a
    /// reader that matters must keep up; Carton's own reader thread only moves packets to an unbounded channel.
    /// </summary>
    public IAsyncEnumerable<JobNotification> ReadNotificationsAsync(CancellationToken cancellationToken = default)
    {
        if (_notifications is null)
            throw new JobObjectException(ErrorKind.InvalidState, "ReadNotificationsAsync",
                $"job {Name} was created without notifications");
        return _notifications.Reader.ReadAllAsync(cancellationToken);
    }

    /// <summary>Stops the reader, closes the port and the job handle (with KillOnClose, the last handle closing kills
    /// what is left in the job).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_port is not null)
        {
            // The reader blocks in GetQueuedCompletionStatus holding a reference on the port's SafeHandle, so closing
            // the handle would not wake it (the close waits for the call to return): a packet of Carton's own does.
            bool posted = false;
            try { _api.PostQueuedCompletionStatus(_port, 0, StopKey, 0); posted = true; }
            catch (JobObjectException) { }
            if (posted) _reader!.Join();
            _notifications!.Writer.TryComplete();
            _port.Dispose();
        }
        _job.Dispose();
    }

    private void ReadPort()
    {
        try
        {
            while (_api.GetQueuedCompletionStatus(_port!, out var message, out var key, out var overlapped))
            {
                if (key == StopKey) break;
                if (key != CompletionKey) continue;
                // lpOverlapped is the process id for the messages that concern one (JOBOBJECT_ASSOCIATE_COMPLETION_PORT).
                uint? pid = JobNotification.CarriesProcessId(message) ? (uint)overlapped : null;
                _notifications!.Writer.TryWrite(new JobNotification((JobMessage)message, pid));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _notifications!.Writer.TryComplete(e);
            return;
        }
        _notifications!.Writer.TryComplete();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
