namespace Carton.EngineTests.Infrastructure;

/// <summary>Reads a container's cgroup files from the host, through its process's /proc/PID/cgroup: what the runtime
/// really wrote, whatever the container itself can see of /sys/fs/cgroup.</summary>
public static class HostCgroup
{
    /// <summary>The content of the v1 file <paramref name="v1File"/> of <paramref name="controller"/>, or on a pure v2
    /// host of <paramref name="v2File"/>.</summary>
    public static string Read(int pid, string controller, string v1File, string v2File)
    {
        string? v2Path = null;
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains(controller))
            {
                var v1 = Path.Combine("/sys/fs/cgroup", controller, parts[2].TrimStart('/'), v1File);
                if (File.Exists(v1)) return File.ReadAllText(v1).Trim();
            }
            if (parts[0] == "0") v2Path = parts[2];
        }
        if (v2Path is not null && !Directory.Exists("/sys/fs/cgroup/unified"))
            return File.ReadAllText(Path.Combine("/sys/fs/cgroup", v2Path.TrimStart('/'), v2File)).Trim();
        throw new InvalidOperationException($"no {controller} cgroup file for pid {pid}: {File.ReadAllText($"/proc/{pid}/cgroup")}");
    }
}
