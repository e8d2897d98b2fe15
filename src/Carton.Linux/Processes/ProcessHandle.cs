using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Processes;

/// <summary>
/// A pidfd (pidfd_open(2)): a handle on one process that, unlike its pid, never comes to mean another one. Signals go
/// through pidfd_send_signal(2), so a process that exits and whose pid is reused after the handle was opened cannot be
/// hit by mistake (the signal fails with ESRCH instead). On a kernel without pidfds (before 5.3) the handle falls back
/// to kill(2) on the pid, which is only as safe as the caller's own check that the pid is still the process it means.
/// </summary>
public sealed class ProcessHandle : IDisposable
{
    private int _fd;

    private ProcessHandle(int pid, int fd)
    {
        Pid = pid;
        _fd = fd;
    }

    /// <summary>The pid the handle was opened for.</summary>
    public int Pid { get; }

    /// <summary>True when the handle is a real pidfd (false: the pre-5.3 kill(2) fallback).</summary>
    public bool IsPidFd => _fd >= 0;

    /// <summary>
    /// Opens a handle on the process that has <paramref name="pid"/> now; null when there is none (ESRCH), or when
    /// <paramref name="pid"/> is not a positive pid (0 and negative values name process groups for kill(2), never one
    /// process). Throws "<paramref name="operation"/>: ..." on any other failure.
    /// </summary>
    public static ProcessHandle? TryOpen(int pid, string operation)
    {
        if (pid <= 0) return null;
        int fd = (int)Libc.syscall(Arch.Syscalls.PidfdOpen, pid, 0, 0, 0, 0, 0);
        if (fd >= 0)
        {
            // pidfd_open gives a close-on-exec fd already (O_CLOEXEC is implied for pidfds).
            return new ProcessHandle(pid, fd);
        }
        int err = Marshal.GetLastPInvokeError();
        if (err == Errno.ESRCH) return null;
        if (err == Errno.ENOSYS) return new ProcessHandle(pid, -1);
        throw new SyscallException(operation, err);
    }

    /// <summary>Sends <paramref name="signal"/>; returns 0 or the errno (ESRCH once the process has exited, even when
    /// its pid now belongs to another process).</summary>
    public int TrySignal(int signal)
    {
        ObjectDisposedException.ThrowIf(_fd == int.MinValue, this);
        long rc = _fd >= 0
            ? Libc.syscall(Arch.Syscalls.PidfdSendSignal, _fd, signal, 0, 0, 0, 0)
            : Libc.kill(Pid, signal);
        return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Sends <paramref name="signal"/>; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public void Signal(int signal, string operation)
    {
        int err = TrySignal(signal);
        if (err != 0) throw new SyscallException(operation, err);
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = int.MinValue;
    }
}
