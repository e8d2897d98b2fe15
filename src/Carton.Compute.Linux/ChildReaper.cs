using Carton.Linux.Interop;
using Carton.Linux.Processes;
using Carton.Runtime;

namespace Carton.Compute.Linux;

/// <summary>
/// Waits for one child of this process on a dedicated thread and completes <see cref="Exited"/> with its exit code
/// (128+N when killed by signal N). It first waits without reaping (waitid WNOWAIT), then marks the child exited
/// under <see cref="Lock"/> and only then reaps it: a signal sent under the same lock can never reach a recycled pid.
/// </summary>
internal sealed class ChildReaper
{
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly ulong _startTime;

    public ChildReaper(int pid, string name, Action<int>? onExit = null)
    {
        Pid = pid;
        var thread = new Thread(() => Run(onExit)) { IsBackground = true, Name = name };
        thread.Start();
    }

    private ChildReaper(int pid, ulong startTime, string name, Func<ChildReaper, int> wait, Action<int>? onExit)
    {
        Pid = pid;
        _startTime = startTime;
        var thread = new Thread(() =>
        {
            int code = -1;
            try { code = wait(this); }
            finally
            {
                lock (Lock) HasExited = true;
                try { onExit?.Invoke(code); }
                finally { _exit.TrySetResult(code); }
            }
        }) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>
    /// A system whose init is the child of a monitor (carton-monitor, our child): the monitor exits right after it
    /// has reaped the init and written the exit file, so waiting for the monitor is waiting for the init.
    /// </summary>
    public static ChildReaper ForMonitor(int initPid, ulong initStartTime, int monitorPid, string exitFile, string name, Action<int>? onExit) =>
        new(initPid, initStartTime, name, r =>
        {
            ChildProcess.TryWait(monitorPid);
            return ContainerMonitor.ReadExit(exitFile) ?? r.WatchUntilGone(exitFile);
        }, onExit);

    /// <summary>A system created by an earlier service (or process): its monitor is not our child; poll the init's
    /// liveness, then read the exit status the monitor recorded.</summary>
    public static ChildReaper Watch(int initPid, ulong initStartTime, string exitFile, string name, Action<int>? onExit) =>
        new(initPid, initStartTime, name, r => r.WatchUntilGone(exitFile), onExit);

    private int WatchUntilGone(string exitFile)
    {
        while (ProcessInfo.IsAlive(Pid, _startTime)) Thread.Sleep(50);
        // The monitor writes the file just after reaping: give it a moment.
        for (int i = 0; i < 40; i++)
        {
            if (ContainerMonitor.ReadExit(exitFile) is int code) return code;
            Thread.Sleep(50);
        }
        return -1;
    }

    public int Pid { get; }
    public object Lock { get; } = new();
    public bool HasExited { get; private set; }
    public Task<int> Exited => _exit.Task;

    /// <summary>Sends <paramref name="signal"/> unless the child has exited; false when it had.</summary>
    public bool Signal(int signal)
    {
        lock (Lock)
        {
            if (HasExited) return false;
            // Not our child (a monitor's): signal through a pidfd opened while the pid still is the init (its start
            // time matches), so a process that reused the pid is never hit.
            var operation = $"kill pid {Pid} with signal {signal}";
            using var init = _startTime != 0 ? ProcessInfo.OpenRecorded(Pid, _startTime, operation) : ProcessHandle.TryOpen(Pid, operation);
            if (init is null) return false;
            init.Signal(signal, operation);
            return true;
        }
    }

    private void Run(Action<int>? onExit)
    {
        ChildProcess.WaitUntilExited(Pid);
        int code = -1;
        lock (Lock)
        {
            HasExited = true;
            if (ChildProcess.TryWait(Pid) is { } status) code = status.ShellCode;
        }
        try { onExit?.Invoke(code); }
        finally { _exit.TrySetResult(code); }
    }

}
