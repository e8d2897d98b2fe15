using System.Diagnostics;

namespace Carton.Linux.Cgroups;

/// <summary>
/// A container's cgroups on a v1 host: one directory per mounted v1 hierarchy, named ones (name=systemd)
/// included so that tools that look there (systemd, ps -o cgroup) see the container. On a hybrid host the
/// container also gets a directory in the controller-less unified tree, as runc does, so cgroup2-aware tools
/// and the unified "cgroup.events" view track it too.
/// </summary>
public sealed class CgroupV1Manager : ICgroupManager
{
    private static readonly TimeSpan FreezeBudget = TimeSpan.FromSeconds(5);

    private readonly CgroupHost _host;
    private readonly List<KeyValuePair<string, string>> _ordered;
    private readonly Dictionary<string, string> _paths;
    private readonly List<string> _warnings = [];

    /// <param name="host">The probed host.</param>
    /// <param name="paths">Hierarchy key → directory, as computed by <see cref="CgroupManagerFactory"/> or saved from <see cref="Paths"/>.</param>
    public CgroupV1Manager(CgroupHost host, IReadOnlyDictionary<string, string> paths)
    {
        _host = host;
        // Host hierarchy order first (stable, matches /proc/self/cgroup), unknown saved keys after.
        var order = host.Hierarchies.Select(h => h.Key).ToList();
        _ordered = paths.OrderBy(p => order.IndexOf(p.Key) is var i && i < 0 ? int.MaxValue : i)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new KeyValuePair<string, string>(p.Key, CgroupFiles.TrimSlash(p.Value)))
            .ToList();
        _paths = new Dictionary<string, string>(_ordered, StringComparer.Ordinal);
    }

    public CgroupMode Mode => _host.Mode;

    public IReadOnlyDictionary<string, string> Paths => _paths;

    public IReadOnlyList<string> Warnings => _warnings;

    public string? GetPath(string controller)
    {
        foreach (var (key, dir) in _ordered)
            if (key.Split(',').Contains(controller, StringComparer.Ordinal)) return dir;
        return null;
    }

    private string? FreezerPath => GetPath("freezer");

    /// <summary>On hybrid hosts this also puts hugepage limits in the unified directory when hugetlb is attached only there.</summary>
    public IReadOnlyList<string> ApplyResources(Carton.Oci.LinuxResources resources)
    {
        var warnings = CgroupV1Resources.Apply(_host, _paths, resources);
        _warnings.AddRange(warnings);
        return warnings;
    }

    public void Create()
    {
        var created = new List<string>();
        try
        {
            foreach (var (key, dir) in _ordered)
            {
                var hierarchy = _host.FindByKey(key) ?? _host.FindByDirectory(dir)
                    ?? throw new CgroupException($"create cgroup {dir}: no mounted cgroup hierarchy \"{key}\" contains it");
                CgroupFiles.MakeDirectories(hierarchy.MountPoint, dir, created);
                if (hierarchy.HasController("cpuset")) InheritCpuset(hierarchy.MountPoint, dir);
                FaultPoints.Reach(FaultPoints.CreateAfterCgroupMkdir);
            }
        }
        catch
        {
            // Undo only what this call made, innermost first, so a failed create leaves the host as it was.
            for (var i = created.Count - 1; i >= 0; i--) CgroupNative.RemoveDirectory(created[i]);
            throw;
        }
    }

    /// <summary>
    /// A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and the kernel refuses to move a task
    /// into it (ENOSPC). Copy the parent's values down each level, as runc does. Hosts mounting cpuset with
    /// "noprefix" name the files "cpus"/"mems".
    /// </summary>
    private static void InheritCpuset(string mountPoint, string dir)
    {
        var prefix = File.Exists(Path.Combine(mountPoint, "cpuset.cpus")) ? "cpuset." : "";
        foreach (var current in CgroupFiles.Descend(mountPoint, dir))
        {
            var parent = Path.GetDirectoryName(current)!;
            foreach (var name in new[] { prefix + "cpus", prefix + "mems" })
            {
                var value = CgroupFiles.TryRead(Path.Combine(current, name));
                if (value is null || value.Trim().Length > 0) continue;
                var inherited = CgroupFiles.Read(Path.Combine(parent, name)).Trim();
                if (inherited.Length > 0) CgroupFiles.Write(Path.Combine(current, name), inherited);
            }
        }
    }

    public void AddProcess(int pid)
    {
        var text = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (_, dir) in _ordered) CgroupFiles.Write(Path.Combine(dir, "cgroup.procs"), text);
    }

    public IReadOnlyList<int> GetPids()
    {
        // Every hierarchy holds the same processes; the unified one is preferred on hybrid hosts because only
        // there a child cgroup created inside the container is guaranteed to be visible to every tool.
        if (_paths.TryGetValue("", out var unified)) return CgroupFiles.ReadPidsRecursive(unified);
        return _ordered.Count == 0 ? [] : CgroupFiles.ReadPidsRecursive(_ordered[0].Value);
    }

    public void SignalAll(int signal) => CgroupSignaller.SignalAll(this, signal, _warnings);

    public bool Exists() => _ordered.Any(p => Directory.Exists(p.Value));

    public string GetFreezerState()
    {
        var dir = FreezerPath;
        if (dir is null) return FreezerState.Unknown;
        return CgroupFiles.TryRead(Path.Combine(dir, "freezer.state"))?.Trim() ?? FreezerState.Unknown;
    }

    /// <summary>
    /// v1 freezing can stall in FREEZING while tasks keep forking or joining, so (like runc) keep rewriting FROZEN,
    /// occasionally thawing briefly to let stragglers settle; on giving up leave the cgroup thawed and fail.
    /// </summary>
    public void Freeze()
    {
        var file = FreezerFile("freeze");
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < FreezeBudget; i++)
        {
            if (i % 50 == 49)
            {
                CgroupFiles.TryWrite(file, FreezerState.Thawed);
                Thread.Sleep(10);
            }
            CgroupFiles.Write(file, FreezerState.Frozen);
            if (i % 25 == 24) Thread.Sleep(1);
            var state = CgroupFiles.Read(file).Trim();
            if (state == FreezerState.Frozen) return;
            if (state != FreezerState.Freezing)
                throw new CgroupException($"freeze cgroup {Path.GetDirectoryName(file)}: unexpected freezer state \"{state}\"");
        }
        CgroupFiles.TryWrite(file, FreezerState.Thawed);
        throw new CgroupException($"freeze cgroup {Path.GetDirectoryName(file)}: still FREEZING after {FreezeBudget.TotalSeconds:0}s; left thawed");
    }

    public void Thaw()
    {
        var file = FreezerFile("thaw");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            CgroupFiles.Write(file, FreezerState.Thawed);
            var state = CgroupFiles.Read(file).Trim();
            if (state == FreezerState.Thawed) return;
            if (clock.Elapsed > FreezeBudget)
                throw new CgroupException($"thaw cgroup {Path.GetDirectoryName(file)}: freezer state is still \"{state}\"");
            Thread.Sleep(1);
        }
    }

    private string FreezerFile(string operation)
    {
        var dir = FreezerPath ?? throw new CgroupException($"{operation} cgroup: no freezer cgroup hierarchy is mounted", null, Interop.Errno.EOPNOTSUPP);
        return Path.Combine(dir, "freezer.state");
    }

    public void Destroy() => CgroupRemover.Remove(_ordered.Select(p => p.Value).ToList(), KillRemaining);

    /// <summary>SIGKILL to a frozen v1 task stays pending until thaw, so thaw before killing.</summary>
    private void KillRemaining()
    {
        if (GetFreezerState() is FreezerState.Frozen or FreezerState.Freezing)
        {
            try { Thaw(); }
            catch (CgroupException e) { _warnings.Add(e.Message); }
        }
        foreach (var (_, dir) in _ordered)
            CgroupSignaller.KillPids(CgroupFiles.ReadPidsRecursive(dir), CgroupSignaller.SIGKILL);
    }
}
