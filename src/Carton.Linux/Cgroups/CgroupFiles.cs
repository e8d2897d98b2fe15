namespace Carton.Linux.Cgroups;

/// <summary>
/// Reading and writing cgroup control files and directories, with every failure turned into a
/// <see cref="CgroupException"/> that names the file and the errno.
/// </summary>
internal static class CgroupFiles
{
    /// <summary>Reads a control file; throws "read &lt;path&gt;: ... (ENAME)" on failure.</summary>
    public static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CgroupException($"read {path}", path, Interop.Errno.FromException(e), e);
        }
    }

    /// <summary>Reads a control file, or returns null when it does not exist (controller or cgroup absent).</summary>
    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var errno = Interop.Errno.FromException(e);
            // A cgroup removed while we read it surfaces as ENODEV on kernfs; treat it like a missing file.
            if (errno is Interop.Errno.ENOENT or Interop.Errno.ENODEV) return null;
            throw new CgroupException($"read {path}", path, errno, e);
        }
    }

    /// <summary>Writes a control file; throws "write &lt;value&gt; to &lt;path&gt;: ... (ENAME)" on failure.</summary>
    public static void Write(string path, string value)
    {
        var errno = CgroupNative.WriteFile(path, value);
        if (errno != 0) throw new CgroupException($"write {value} to {path}", path, errno);
    }

    /// <summary>Writes a control file and returns 0 or the errno, for callers that tolerate some failures.</summary>
    public static int TryWrite(string path, string value) => CgroupNative.WriteFile(path, value);

    /// <summary>
    /// mkdir -p of <paramref name="dir"/>, starting below <paramref name="stopAt"/> (the hierarchy mount point,
    /// which must exist). Directories this call made are appended to <paramref name="created"/> so a failed
    /// Create can undo exactly its own work.
    /// </summary>
    public static void MakeDirectories(string stopAt, string dir, List<string> created)
    {
        foreach (var current in Descend(stopAt, dir))
        {
            var errno = CgroupNative.MakeDirectory(current);
            if (errno == 0) created.Add(current);
            else if (errno != Interop.Errno.EEXIST) throw new CgroupException($"create cgroup {current}", current, errno);
        }
    }

    /// <summary>The directories strictly below <paramref name="top"/> down to and including <paramref name="dir"/>, outermost first.</summary>
    public static IEnumerable<string> Descend(string top, string dir)
    {
        top = TrimSlash(top);
        dir = TrimSlash(dir);
        if (dir == top) yield break;
        if (!IsUnder(dir, top)) throw new CgroupException($"cgroup directory {dir} is not inside the cgroup mount {top}");
        var rest = dir[(top.Length == 1 ? 1 : top.Length + 1)..];
        var current = top;
        foreach (var part in rest.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current == "/" ? "/" + part : current + "/" + part;
            yield return current;
        }
    }

    public static bool IsUnder(string path, string top)
    {
        path = TrimSlash(path);
        top = TrimSlash(top);
        return path == top || top == "/" || path.StartsWith(top + "/", StringComparison.Ordinal);
    }

    public static string TrimSlash(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    /// <summary>Every process id in <paramref name="dir"/> and its child cgroups; empty when the cgroup is gone.</summary>
    public static List<int> ReadPidsRecursive(string dir)
    {
        var pids = new List<int>();
        var seen = new HashSet<int>();
        Collect(dir, pids, seen);
        return pids;

        static void Collect(string dir, List<int> pids, HashSet<int> seen)
        {
            var text = TryRead(Path.Combine(dir, "cgroup.procs"));
            if (text is null) return;
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (int.TryParse(line, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && seen.Add(pid))
                    pids.Add(pid);
            foreach (var child in ChildDirectories(dir)) Collect(child, pids, seen);
        }
    }

    /// <summary>Child cgroup directories; empty if the directory vanished meanwhile (a racing destroy).</summary>
    public static string[] ChildDirectories(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
