namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// What a controller needs to apply linux.resources to a cgroup v2 directory, including the controllers enabled for
/// it: its own cgroup.controllers (what its parent delegates), read once.
/// </summary>
/// <param name="dir">The container's cgroup directory in the unified tree.</param>
/// <param name="writer">Every write goes through it.</param>
internal sealed class CgroupV2Context(string dir, CgroupResourceWriter writer)
{
    private HashSet<string>? _names;
    private bool _read;

    public string Dir => dir;

    public CgroupResourceWriter Writer => writer;

    /// <summary>Settings that were skipped.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The enabled controllers, or null when cgroup.controllers cannot be read (then writes report the problem themselves).</summary>
    public HashSet<string>? Enabled
    {
        get
        {
            if (_read) return _names;
            _read = true;
            try
            {
                _names = CgroupFiles.TryRead(Path.Combine(dir, "cgroup.controllers")) is { } text
                    ? new HashSet<string>(text.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal)
                    : null;
            }
            catch (CgroupException)
            {
                _names = null;
            }
            return _names;
        }
    }

    /// <summary>The directory, or an error naming <paramref name="field"/> when <paramref name="controller"/> is not enabled for it.</summary>
    public string Require(string controller, string field)
    {
        if (Enabled is { } names && !names.Contains(controller))
            throw new CgroupException($"{field}: the {controller} controller is not enabled for {dir} (its cgroup.controllers lists: {(names.Count == 0 ? "none" : string.Join(' ', names.Order(StringComparer.Ordinal)))})");
        return dir;
    }
}
