using Carton.IntegrationTests.Infrastructure;

namespace Carton.EngineTests.Infrastructure;

/// <summary>Commands on the host, through the shared runner (stdio in files, a timeout, the tree killed on it).</summary>
public static class Host
{
    public static ProcessResult Run(string file, params string[] args) => ProcessRunner.Run(file, args);

    public static ProcessResult Run(TimeSpan timeout, string file, params string[] args) => ProcessRunner.Run(file, args, timeout: timeout);

    public static ProcessResult Must(string file, params string[] args)
    {
        var r = Run(file, args);
        if (!r.Succeeded) throw new InvalidOperationException($"host command failed:\n{r}");
        return r;
    }

    /// <summary>Unmounts every mount at or below <paramref name="dir"/>, deepest first (lazily: an engine that died may
    /// leave busy ones), so the directory can be removed.</summary>
    public static void UnmountBelow(string dir)
    {
        var prefix = dir.TrimEnd('/');
        var targets = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4].Replace("\\040", " "))
            .Where(t => t == prefix || t.StartsWith(prefix + "/", StringComparison.Ordinal))
            .OrderByDescending(t => t.Length)
            .ToList();
        foreach (var t in targets) Run("umount", "-l", t);
    }

    /// <summary>Removes a state directory: its mounts first, then the tree.</summary>
    public static void RemoveStateDir(string dir)
    {
        if (!Directory.Exists(dir)) return;
        UnmountBelow(dir);
        Run("rm", "-rf", "--one-file-system", dir);
    }

    /// <summary>Waits for <paramref name="condition"/>, polling; false once <paramref name="timeout"/> has passed.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition()) return true;
            Thread.Sleep(100);
        }
        return condition();
    }
}
