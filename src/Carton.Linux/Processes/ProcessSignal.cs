using Carton.Linux.Interop;

namespace Carton.Linux.Processes;

/// <summary>Sending signals to processes (kill(2)).</summary>
public static class ProcessSignal
{
    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void Send(int pid, int signal, string operation)
    {
        if (Libc.kill(pid, signal) < 0) throw SyscallException.Last(operation);
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it could not be (ESRCH, EPERM).</summary>
    public static bool TrySend(int pid, int signal) => Libc.kill(pid, signal) == 0;
}
