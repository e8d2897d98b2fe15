using System.Diagnostics;

namespace Carton.Linux.Cgroups;

/// <summary>
/// A container's cgroup on a pure cgroup v2 host: a single directory in the unified tree.
/// </summary>
public sealed class CgroupV2Manager : ICgroupManager
{
    private static readonly TimeSpan FreezeBudget = TimeSpan.FromSeconds(5);

    private readonly CgroupHost _host;
    private readonly string _path;
    private readonly List<string> _warnings = [];

    /// <param name="host">The probed host.</param>
    /// <param name="path">The absolute cgroup directory, e.g. /sys/fs/cgroup/system.slice/runc-x.scope.</param>
    public CgroupV2Manager(CgroupHost host, string path)
    {
        _host = host;
        _path = CgroupFiles.TrimSlash(path);
        Paths = new Dictionary<string, string>(StringComparer.Ordinal) { [""] = _path };
    }

    public CgroupMode Mode => _host.Mode;

    public IReadOnlyDictionary<string, string> Paths { get; }

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Every controller's files live in the one directory (whether the controller is enabled there is ApplyResources' concern).</summary>
    public string? GetPath(string controller) => _path;

    public IReadOnlyList<string> ApplyResources(Carton.Oci.LinuxResources resources)
    {
        var warnings = CgroupV2Resources.Apply(_path, resources);
        _warnings.AddRange(warnings);
        return warnings;
    }

    /// <summary>
    /// mkdir -p, enabling every available controller in cgroup.subtree_control of each ancestor on the way down
    /// (the root included, the new leaf excluded), as runc's fs2 driver does: in v2 a controller's files only
    /// appear in a cgroup when its parent delegates the controller. Failures are warnings, not errors, because
    /// some are expected (EBUSY when an ancestor holds processes, EOPNOTSUPP for controllers the ancestor cannot
    /// delegate, EACCES outside a delegated subtree); resource settings will report a missing controller clearly.
    /// </summary>
    public void Create()
    {
        var root = (_host.FindByDirectory(_path) ?? _host.Unified
            ?? throw new CgroupException($"create cgroup {_path}: no cgroup2 filesystem is mounted")).MountPoint;
        var created = new List<string>();
        try
        {
            var parent = root;
            foreach (var dir in CgroupFiles.Descend(root, _path))
            {
                EnableControllers(parent);
                CgroupFiles.MakeDirectories(parent, dir, created);
                parent = dir;
            }
            // The one hierarchy's directories exist (issue 15's fault points: once per hierarchy, as on v1).
            FaultPoints.Reach(FaultPoints.CreateAfterCgroupMkdir);
        }
        catch
        {
            for (var i = created.Count - 1; i >= 0; i--) CgroupNative.RemoveDirectory(created[i]);
            throw;
        }
    }

    private void EnableControllers(string dir)
    {
        var available = CgroupFiles.TryRead(Path.Combine(dir, "cgroup.controllers"));
        if (available is null)
        {
            _warnings.Add($"enable controllers in {dir}: {Path.Combine(dir, "cgroup.controllers")} does not exist");
            return;
        }
        var controllers = available.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (controllers.Length == 0) return;

        var file = Path.Combine(dir, "cgroup.subtree_control");
        var all = string.Join(' ', controllers.Select(c => "+" + c));
        if (CgroupFiles.TryWrite(file, all) == 0) return;
        // One refused controller makes the whole write fail; retry one by one so the rest still get enabled.
        foreach (var controller in controllers)
        {
            var errno = CgroupFiles.TryWrite(file, "+" + controller);
            if (errno != 0) _warnings.Add($"write +{controller} to {file}: {Interop.Errno.Describe(errno)}");
        }
    }

    public void AddProcess(int pid) =>
        CgroupFiles.Write(Path.Combine(_path, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public IReadOnlyList<int> GetPids() => CgroupFiles.ReadPidsRecursive(_path);

    /// <summary>SIGKILL goes through cgroup.kill when the kernel has it (5.14+): atomic, recursive, and immune to fork races.</summary>
    public void SignalAll(int signal)
    {
        var killFile = Path.Combine(_path, "cgroup.kill");
        if (signal == CgroupSignaller.SIGKILL && File.Exists(killFile))
        {
            CgroupFiles.Write(killFile, "1");
            return;
        }
        CgroupSignaller.SignalAll(this, signal, _warnings);
    }

    public bool Exists() => Directory.Exists(_path);

    /// <summary>cgroup.freeze holds the requested state; cgroup.events "frozen" tells whether the kernel got there.</summary>
    public string GetFreezerState()
    {
        var requested = CgroupFiles.TryRead(Path.Combine(_path, "cgroup.freeze"))?.Trim();
        if (requested is null) return FreezerState.Unknown;
        if (requested == "0") return FreezerState.Thawed;
        return ReadFrozenEvent() == true ? FreezerState.Frozen : FreezerState.Freezing;
    }

    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    private void SetFrozen(bool frozen)
    {
        var operation = frozen ? "freeze" : "thaw";
        var file = Path.Combine(_path, "cgroup.freeze");
        if (!File.Exists(file))
            throw new CgroupException($"{operation} cgroup {_path}: {file} is missing (cgroup v2 freezer needs Linux 5.2+)", file, Interop.Errno.EOPNOTSUPP);
        CgroupFiles.Write(file, frozen ? "1" : "0");

        var clock = Stopwatch.StartNew();
        while (ReadFrozenEvent() != frozen)
        {
            if (clock.Elapsed > FreezeBudget)
            {
                // Do not leave a half-frozen cgroup behind when freezing gave up.
                if (frozen) CgroupFiles.TryWrite(file, "0");
                throw new CgroupException($"{operation} cgroup {_path}: cgroup.events did not report \"frozen {(frozen ? 1 : 0)}\" within {FreezeBudget.TotalSeconds:0}s");
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>The "frozen" key of cgroup.events, or null if unreadable.</summary>
    private bool? ReadFrozenEvent()
    {
        var events = CgroupFiles.TryRead(Path.Combine(_path, "cgroup.events"));
        if (events is null) return null;
        foreach (var line in events.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == "frozen") return parts[1] == "1";
        }
        return null;
    }

    public void Destroy() => CgroupRemover.Remove([_path], KillRemaining);

    private void KillRemaining()
    {
        var killFile = Path.Combine(_path, "cgroup.kill");
        if (File.Exists(killFile) && CgroupFiles.TryWrite(killFile, "1") == 0) return;
        // Without cgroup.kill, thaw first: older kernels keep SIGKILL pending on frozen tasks.
        if (GetFreezerState() is FreezerState.Frozen or FreezerState.Freezing)
        {
            try { Thaw(); }
            catch (CgroupException e) { _warnings.Add(e.Message); }
        }
        CgroupSignaller.KillPids(GetPids(), CgroupSignaller.SIGKILL);
    }
}
