using Carton.Linux.Interop;

namespace Carton.Linux.Processes;

/// <summary>Who the calling process is: its pid and effective ids.</summary>
public static class CurrentProcess
{
    /// <summary>getpid(2): the pid in the caller's own pid namespace.</summary>
    public static int Id => Libc.getpid();

    /// <summary>geteuid(2).</summary>
    public static uint EffectiveUserId => Libc.geteuid();

    /// <summary>getegid(2).</summary>
    public static uint EffectiveGroupId => Libc.getegid();

    /// <summary>Whether the process runs without root's effective uid (rootless).</summary>
    public static bool IsUnprivileged => Libc.geteuid() != 0;
}
