using Carton.Linux.Interop;

namespace Carton.Linux.ProcessSetup;

/// <summary>
/// unshare(2) from the calling thread. In a multithreaded .NET process this moves only the calling thread (design.md
/// §2), so it is for namespaces that are per thread and inherited by execve: cgroup and time, unshared by the init on
/// the thread that then execs.
/// </summary>
public static class NamespaceUnshare
{
    /// <summary>Unshares the namespaces in <paramref name="cloneFlags"/> (CLONE_NEW*); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void Unshare(int cloneFlags, string operation)
    {
        if (Libc.unshare(cloneFlags) < 0) throw SyscallException.Last(operation);
    }
}
