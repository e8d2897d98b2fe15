using System.Runtime.InteropServices;

namespace Carton.EngineTests.Cri;

/// <summary>
/// What an engine run can leave on the host, found from the host's own tables (/proc, mountinfo, cgroupfs) rather than
/// from the engine or the runtime, so that the tests can assert there is none and the fixture can remove it whatever
/// state the engine is in: processes under the shims of one containerd, mounts under a directory, cgroups under a
/// parent.
/// </summary>
public static class Leftovers
{
    private const int SIGKILL = 9;
    private const int MNT_DETACH = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc", SetLastError = true)]
    private static extern int umount2(string target, int flags);

    /// <summary>Sends <paramref name="signal"/>; false when the process is already gone.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>
    /// The shims started for the containerd listening on <paramref name="socket"/>: the runc shim's command line is
    /// `containerd-shim-runc-v2 -namespace NS -id ID -address SOCKET`, and the address is what tells our containerd's
    /// shims from any other's. Shims re-parent themselves to init, so they are not found as containerd's children.
    /// </summary>
    public static IReadOnlyList<int> ShimsOf(string socket)
    {
        var shims = new List<int>();
        foreach (var (pid, argv) in Processes())
        {
            if (argv.Length == 0 || !Path.GetFileName(argv[0]).StartsWith("containerd-shim", StringComparison.Ordinal)) continue;
            var i = Array.IndexOf(argv, "-address");
            if (i >= 0 && i + 1 < argv.Length && argv[i + 1] == socket) shims.Add(pid);
        }
        return shims;
    }

    /// <summary>The processes below <paramref name="roots"/> (children, grandchildren, ...), roots excluded.</summary>
    public static IReadOnlyList<int> DescendantsOf(IEnumerable<int> roots)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var ppid = ParentOf(pid);
            if (ppid is null) continue;
            if (!children.TryGetValue(ppid.Value, out var list)) children[ppid.Value] = list = [];
            list.Add(pid);
        }
        var found = new List<int>();
        var queue = new Queue<int>(roots);
        while (queue.Count > 0)
        {
            if (!children.TryGetValue(queue.Dequeue(), out var list)) continue;
            foreach (var child in list)
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>Whether <paramref name="pid"/> names a live process (a zombie counts as gone: it runs nothing).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The mount points at or below <paramref name="dir"/> in this mount namespace, deepest (latest) last.</summary>
    public static IReadOnlyList<string> MountsUnder(string dir)
    {
        var prefix = dir.TrimEnd('/') + "/";
        var mounts = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // Field 5 is the mount point, with space, tab, newline and backslash written as octal escapes.
            var point = Unescape(line.Split(' ')[4]);
            if (point == dir.TrimEnd('/') || point.StartsWith(prefix, StringComparison.Ordinal)) mounts.Add(point);
        }
        return mounts;
    }

    /// <summary>The cgroup hierarchies of this host: each v1 controller's mount and the cgroup2 mount, if any.</summary>
    public static IReadOnlyList<string> CgroupHierarchies()
    {
        var roots = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var parts = line.Split(' ');
            var dash = Array.IndexOf(parts, "-");
            if (dash > 0 && dash + 1 < parts.Length && parts[dash + 1] is "cgroup" or "cgroup2") roots.Add(Unescape(parts[4]));
        }
        return roots;
    }

    /// <summary>The cgroup directories below <paramref name="parent"/> (a path from the hierarchy root), in every hierarchy.</summary>
    public static IReadOnlyList<string> CgroupsUnder(string parent)
    {
        var found = new List<string>();
        foreach (var root in CgroupHierarchies())
        {
            var dir = Path.Combine(root, parent.TrimStart('/'));
            if (Directory.Exists(dir)) found.AddRange(Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories));
        }
        return found;
    }

    /// <summary>
    /// Removes everything found under the shims of <paramref name="socket"/>, under <paramref name="dir"/> and under
    /// <paramref name="cgroupParent"/>: kills the shims and their descendants and whatever is still in the cgroups,
    /// unmounts (detached, deepest first), then removes the cgroups, deepest first. Returns what it had to do, for
    /// the report; an empty list means there was nothing left.
    /// </summary>
    public static IReadOnlyList<string> Remove(string socket, string dir, string cgroupParent)
    {
        var done = new List<string>();
        var shims = ShimsOf(socket);
        var victims = shims.Concat(DescendantsOf(shims)).ToList();
        foreach (var root in CgroupHierarchies())
        {
            var cg = Path.Combine(root, cgroupParent.TrimStart('/'));
            if (!Directory.Exists(cg)) continue;
            foreach (var procs in Directory.EnumerateFiles(cg, "cgroup.procs", SearchOption.AllDirectories))
                foreach (var line in File.ReadLines(procs))
                    if (int.TryParse(line, out var pid)) victims.Add(pid);
        }
        foreach (var pid in victims.Distinct())
            if (Signal(pid, SIGKILL)) done.Add($"killed pid {pid}");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (victims.Any(IsAlive) && DateTime.UtcNow < deadline) Thread.Sleep(100);

        foreach (var point in MountsUnder(dir).Reverse())
        {
            if (umount2(point, MNT_DETACH) == 0) done.Add("unmounted " + point);
            else done.Add($"could not unmount {point}: errno {Marshal.GetLastPInvokeError()}");
        }

        foreach (var cg in CgroupsUnder(cgroupParent).OrderByDescending(d => d.Length)
                     .Concat(CgroupHierarchies().Select(r => Path.Combine(r, cgroupParent.TrimStart('/')))))
        {
            if (!Directory.Exists(cg)) continue;
            try
            {
                // rmdir: a cgroup directory goes away with its control files, but never recursively.
                Directory.Delete(cg, recursive: false);
            }
            catch (IOException e)
            {
                done.Add($"could not remove cgroup {cg}: {e.Message}");
            }
        }
        return done;
    }

    private static IEnumerable<(int Pid, string[] Argv)> Processes()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            yield return (pid, cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
