using Carton.Oci;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// One cgroup controller (config-linux.md "Control groups"): what it writes for linux.resources on cgroup v1 and on
/// cgroup v2, what it reads into runc's `events --stats` shape, and the v1↔v2 conversions of its values. Every
/// controller is registered in <see cref="CgroupControllers"/>, whose order lists say when each one runs; the
/// drivers (<see cref="CgroupV1Resources"/>, <see cref="CgroupV2Resources"/>, <see cref="Stats.CgroupStatsReader"/>)
/// only walk that table.
/// </summary>
public abstract class CgroupController
{
    private protected CgroupController() { }

    /// <summary>The kernel's name for the controller ("cpu", "io", "net_cls,net_prio", ...).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The linux.resources groups (<see cref="ResourceGroup.Name"/>) whose settings this controller writes, or
    /// reports as ignored. Together the controllers cover <see cref="ResourceGroups.All"/>.
    /// </summary>
    public abstract IReadOnlyList<string> Groups { get; }

    /// <summary>
    /// Checks that must pass before anything is written, on either version, so that a bad entry fails the whole
    /// update up front instead of half-way through. Called for every controller, in table order.
    /// </summary>
    internal virtual void Validate(LinuxResources r, bool v2) { }

    /// <summary>Writes this controller's part of <paramref name="r"/> to the v1 hierarchies (runc's fs driver). Null groups are left untouched.</summary>
    internal virtual void ApplyV1(CgroupV1Context c, LinuxResources r) { }

    /// <summary>Writes this controller's part of <paramref name="r"/> to the container's cgroup2 directory (runc's fs2 driver).</summary>
    internal virtual void ApplyV2(CgroupV2Context c, LinuxResources r) { }

    /// <summary>Fills this controller's part of <paramref name="stats"/>; files that do not exist are skipped.</summary>
    internal virtual void ReadStats(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupStats stats) { }

    /// <summary>A name that can go into a cgroup file line as one field: no whitespace, control characters or '/'.</summary>
    private protected static bool IsPlainName(string? name) =>
        !string.IsNullOrEmpty(name) && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/');
}
