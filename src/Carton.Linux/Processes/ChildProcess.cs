using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Processes;

/// <summary>Waiting for and reaping the children of this process (waitpid, waitid).</summary>
public static unsafe class ChildProcess
{
    /// <summary>Waits for <paramref name="pid"/> to end and reaps it, retrying EINTR; throws "<paramref name="operation"/>: ..." on any other failure.</summary>
    public static ExitStatus Wait(int pid, string operation)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Errno.EINTR) throw SyscallException.Last(operation);
        }
        return new ExitStatus(status);
    }

    /// <summary>Waits for <paramref name="pid"/> to end and reaps it, retrying EINTR; null when it cannot be waited for
    /// (not a child of this process, or already reaped).</summary>
    public static ExitStatus? TryWait(int pid)
    {
        int status;
        int rc;
        while ((rc = Libc.waitpid(pid, &status, 0)) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) { }
        return rc == pid ? new ExitStatus(status) : null;
    }

    /// <summary>
    /// Reaps <paramref name="pid"/> if it has ended, without waiting (WNOHANG). Returns the pid when it was reaped
    /// (<paramref name="status"/> is then set), 0 while it runs, or -errno (EINTR included).
    /// </summary>
    public static int Poll(int pid, out ExitStatus status)
    {
        int raw = 0;
        int rc = Libc.waitpid(pid, &raw, Libc.WNOHANG);
        status = new ExitStatus(raw);
        return rc >= 0 ? rc : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Reaps every child that has ended, without waiting for the others (a pid 1's duty).</summary>
    public static void ReapExited()
    {
        int status;
        while (Libc.waitpid(-1, &status, Libc.WNOHANG) > 0) { }
    }

    /// <summary>
    /// Waits until <paramref name="pid"/> has ended but leaves it unreaped (waitid WEXITED|WNOWAIT), retrying EINTR:
    /// its pid stays reserved until the caller reaps it.
    /// </summary>
    public static void WaitUntilExited(int pid)
    {
        const int P_PID = 1, WEXITED = 4, WNOWAIT = 0x01000000;
        var info = stackalloc byte[128]; // siginfo_t
        while (Libc.waitid(P_PID, (uint)pid, info, WEXITED | WNOWAIT) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) { }
    }

    /// <summary>SIGKILL, then reap: undoes a child that must not live on. Errors are ignored (it may be gone already).</summary>
    public static void KillAndReap(int pid)
    {
        Libc.kill(pid, 9);
        int status;
        Libc.waitpid(pid, &status, 0);
    }
}
