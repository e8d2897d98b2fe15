using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Compute;

/// <summary>
/// Waits for one child of this process on a dedicated thread and completes <see cref="Exited"/> with its exit code
/// (128+N when killed by signal N). It first waits without reaping (waitid WNOWAIT), then marks the child exited
/// under <see cref="Lock"/> and only then reaps it: a signal sent under the same lock can never reach a recycled pid.
/// </summary>
internal sealed unsafe partial class ChildReaper
{
    private const int P_PID = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChildReaper(int pid, string name, Action<int>? onExit = null)
    {
        Pid = pid;
        var thread = new Thread(() => Run(onExit)) { IsBackground = true, Name = name };
        thread.Start();
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
            if (Libc.kill(Pid, signal) < 0) throw SyscallException.Last($"kill pid {Pid} with signal {signal}");
            return true;
        }
    }

    private void Run(Action<int>? onExit)
    {
        var info = stackalloc byte[128];
        while (waitid(P_PID, Pid, info, WEXITED | WNOWAIT) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) { }
        int code = -1;
        lock (Lock)
        {
            HasExited = true;
            int status;
            int rc;
            while ((rc = Libc.waitpid(Pid, &status, 0)) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) { }
            if (rc == Pid) code = Libc.ExitCodeOf(status);
        }
        try { onExit?.Invoke(code); }
        finally { _exit.TrySetResult(code); }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitid(int idtype, int id, byte* infop, int options);
}
