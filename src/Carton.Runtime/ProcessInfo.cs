using System.Globalization;
using Carton.Linux.Processes;
using Carton.Linux.Security;

namespace Carton.Runtime;

/// <summary>Facts about a pid from /proc: alive or not, and its start time (to detect pid reuse).</summary>
public static class ProcessInfo
{
    /// <summary>(state char, start time) from /proc/pid/stat, or null when there is no such process.</summary>
    public static (char State, ulong StartTime)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            int close = text.LastIndexOf(')');
            var fields = text[(close + 2)..].Split(' ');
            // fields[0] is field 3 (state); start time is field 22.
            return (fields[0][0], ulong.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>The name of the recorded-pid identity check for <see cref="Defences"/> (docs/security.md).</summary>
    public const string IdentityDefence = "recorded-pid-identity";

    /// <summary>True only in a mutation build that switched <see cref="IdentityDefence"/> off.</summary>
    private static bool IdentityCheckDisabled => Defences.IsDisabled(IdentityDefence);

    /// <summary>
    /// A handle (pidfd) on the process recorded as (<paramref name="pid"/>, <paramref name="startTime"/>), or null when
    /// that process is gone: the pid is free, a zombie, or now another process (its start time differs). The pidfd is
    /// opened first and the start time checked after, so the handle can only be on the recorded process: signals
    /// through it never reach a process that took the pid later. A record without a start time cannot be checked
    /// and gives null.
    /// </summary>
    public static ProcessHandle? OpenRecorded(int pid, ulong startTime, string operation)
    {
        bool check = !IdentityCheckDisabled;
        if (pid <= 0 || (check && startTime == 0)) return null;
        var handle = ProcessHandle.TryOpen(pid, operation);
        if (handle is null || !check || IsAlive(pid, startTime)) return handle;
        handle.Dispose();
        return null;
    }

    /// <summary>True when the pid runs and is the same process that was recorded.</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        if (pid <= 0) return false;
        var s = Stat(pid);
        return s is { } st && st.State != 'Z' && st.State != 'X' && (startTime == 0 || st.StartTime == startTime);
    }
}
