namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// Host-side cgroup directories of a process: /proc/&lt;pid&gt;/cgroup mapped onto the hierarchies
/// mounted in /proc/self/mountinfo. Keys are v1 controller names ("memory", "cpu", "pids", "name=systemd", ...)
/// and "unified" for the cgroup2 hierarchy. Nothing is guessed from the container id: the caller's own
/// cgroup may be nested (e.g. memory:/process_api/&lt;hash&gt;).
/// </summary>
public static class CgroupPaths
{
    /// <summary>controller → host directory of <paramref name="pid"/>'s cgroup in that hierarchy.</summary>
    public static Dictionary<string, string> ForPid(int pid)
    {
        var mounts = HierarchyMounts();
        var result = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            var keys = parts[0] == "0" && parts[1].Length == 0 ? ["unified"] : parts[1].Split(',');
            foreach (var key in keys)
            {
                if (mounts.TryGetValue(key, out var m))
                {
                    var rel = parts[2];
                    if (m.Root != "/" && rel.StartsWith(m.Root, StringComparison.Ordinal))
                    {
                        rel = rel[m.Root.Length..];
                    }
                    result[key] = m.MountPoint.TrimEnd('/') + "/" + rel.TrimStart('/');
                }
            }
        }
        return result;
    }

    /// <summary>Directory of <paramref name="pid"/>'s cgroup in the hierarchy of <paramref name="controller"/>.</summary>
    public static string Dir(int pid, string controller)
    {
        var all = ForPid(pid);
        Assert.True(all.TryGetValue(controller, out var dir), $"pid {pid} has no '{controller}' cgroup: {string.Join(", ", all.Select(kv => kv.Key + "=" + kv.Value))}");
        return dir!;
    }

    /// <summary>Trimmed content of <paramref name="file"/> in <paramref name="pid"/>'s cgroup of <paramref name="controller"/>.</summary>
    public static string Read(int pid, string controller, string file) =>
        File.ReadAllText(Path.Combine(Dir(pid, controller), file)).Trim();

    /// <summary>"key value" lines (cpu.stat, memory.stat, memory.oom_control) as a dictionary.</summary>
    public static Dictionary<string, long> ReadKeyed(string path) =>
        File.ReadAllLines(path)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 2 && long.TryParse(f[1], out _))
            .ToDictionary(f => f[0], f => long.Parse(f[1]));

    private sealed record Mount(string Root, string MountPoint);

    private static Dictionary<string, Mount> HierarchyMounts()
    {
        var result = new Dictionary<string, Mount>();
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var f = line.Split(' ');
            var sep = Array.IndexOf(f, "-");
            if (sep < 0 || sep + 3 >= f.Length)
            {
                continue;
            }
            var fstype = f[sep + 1];
            var mount = new Mount(f[3], f[4]);
            if (fstype == "cgroup2")
            {
                result.TryAdd("unified", mount);
            }
            else if (fstype == "cgroup")
            {
                foreach (var opt in f[sep + 3].Split(','))
                {
                    if (opt is not ("rw" or "ro") && !opt.StartsWith("release_agent", StringComparison.Ordinal) && opt != "clone_children" && opt != "noprefix")
                    {
                        result.TryAdd(opt, mount);
                    }
                }
            }
        }
        return result;
    }
}
