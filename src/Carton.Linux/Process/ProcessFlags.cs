using Carton.Linux.Interop;

namespace Carton.Linux.ProcessSetup;

/// <summary>Per-process security flags set with prctl(2) before a container's program runs.</summary>
public static class ProcessFlags
{
    /// <summary>
    /// PR_SET_DUMPABLE 0: while this process holds host fds and sees the host's mounts, another process of the
    /// container cannot ptrace it or open its /proc/pid/fd (design.md §3 item 2). execve resets it.
    /// </summary>
    public static void MakeNonDumpable()
    {
        if (Libc.prctl(Libc.PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) throw SyscallException.Last("prctl PR_SET_DUMPABLE");
    }

    /// <summary>PR_SET_NO_NEW_PRIVS 1 (inherited across execve, never cleared); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void SetNoNewPrivileges(string operation)
    {
        if (Libc.prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) throw SyscallException.Last(operation);
    }
}
