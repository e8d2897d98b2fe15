namespace Carton.Linux.Cgroups;

/// <summary>
/// Signals every process of a cgroup the way runc's signalAllProcesses does: freeze first so that a process
/// forking in a loop cannot leave a child unsignalled, send the signal to each listed pid, then thaw (signals to
/// frozen tasks are delivered on thaw). A cgroup the user already paused is left frozen.
/// </summary>
internal static class CgroupSignaller
{
    public const int SIGKILL = 9;

    public static void SignalAll(ICgroupManager manager, int signal, List<string> warnings)
    {
        var froze = false;
        if (manager.GetFreezerState() == FreezerState.Thawed)
        {
            try
            {
                manager.Freeze();
                froze = true;
            }
            catch (CgroupException e)
            {
                warnings.Add(e.Message);
            }
        }

        (int Pid, int Errno)? failure = null;
        try
        {
            failure = KillPids(manager.GetPids(), signal);
        }
        finally
        {
            if (froze)
            {
                try { manager.Thaw(); }
                catch (CgroupException e) { warnings.Add(e.Message); }
            }
        }
        if (failure is { } f) throw new CgroupException($"kill process {f.Pid} with signal {signal}", null, f.Errno);
    }

    /// <summary>kill(2) each pid; a process that exited meanwhile (ESRCH) is fine. Returns the first real failure.</summary>
    public static (int Pid, int Errno)? KillPids(IEnumerable<int> pids, int signal)
    {
        (int, int)? failure = null;
        foreach (var pid in pids)
        {
            var errno = CgroupNative.SendSignal(pid, signal);
            if (errno != 0 && errno != Interop.Errno.ESRCH) failure ??= (pid, errno);
        }
        return failure;
    }
}
