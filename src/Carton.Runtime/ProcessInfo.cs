using System.Globalization;

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

    /// <summary>True when the pid runs and is the same process that was recorded.</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        if (pid <= 0) return false;
        var s = Stat(pid);
        return s is { } st && st.State != 'Z' && st.State != 'X' && (startTime == 0 || st.StartTime == startTime);
    }
}
