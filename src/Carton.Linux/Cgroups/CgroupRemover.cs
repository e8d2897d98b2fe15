using System.Diagnostics;

namespace Carton.Linux.Cgroups;

/// <summary>
/// Removes cgroup directories deepest-first. A cgroup directory can only go with rmdir(2) once it has no
/// processes and no child cgroups, and the kernel may report EBUSY for a short while after the last process
/// died (it is reaped asynchronously), hence the retry loop with a kill in between.
/// </summary>
internal static class CgroupRemover
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    /// <param name="dirs">The container's cgroup directories (one per hierarchy).</param>
    /// <param name="killRemaining">Called between attempts to SIGKILL whatever still lives in the cgroups.</param>
    public static void Remove(IReadOnlyList<string> dirs, Action killRemaining)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(10);
        var pending = dirs.ToList();
        while (true)
        {
            var busy = new List<(string Path, int Errno)>();
            foreach (var dir in pending)
            {
                var failure = RemoveTree(dir);
                if (failure is null) continue;
                if (failure.Value.Errno != Interop.Errno.EBUSY) throw Failed(failure.Value);
                busy.Add(failure.Value);
            }
            if (busy.Count == 0) return;

            var left = Budget - clock.Elapsed;
            if (left <= TimeSpan.Zero) throw Failed(busy[0]);
            pending = pending.Where(d => busy.Any(b => CgroupFiles.IsUnder(b.Path, d))).ToList();
            killRemaining();
            Thread.Sleep(delay < left ? delay : left);
            delay *= 2;
        }
    }

    private static CgroupException Failed((string Path, int Errno) failure) =>
        new($"remove cgroup {failure.Path}", failure.Path, failure.Errno);

    /// <summary>rmdir children first, then the directory itself. Returns the first failure, or null when everything is gone.</summary>
    private static (string Path, int Errno)? RemoveTree(string dir)
    {
        if (!Directory.Exists(dir)) return null;
        foreach (var child in CgroupFiles.ChildDirectories(dir))
        {
            var failure = RemoveTree(child);
            if (failure is not null) return failure;
        }
        var errno = CgroupNative.RemoveDirectory(dir);
        return errno is 0 or Interop.Errno.ENOENT ? null : (dir, errno);
    }
}
