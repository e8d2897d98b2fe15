namespace Carton.Linux.Cgroups;

/// <summary>
/// One mounted cgroup hierarchy: a v1 hierarchy (one or more controllers, or a named hierarchy such as
/// name=systemd) or the cgroup2 unified tree.
/// </summary>
public sealed class CgroupHierarchy
{
    /// <summary>Where the hierarchy is mounted, e.g. /sys/fs/cgroup/memory or /sys/fs/cgroup.</summary>
    public string MountPoint { get; }

    /// <summary>
    /// The cgroup that the mount shows as its top directory (mountinfo field 4). "/" on a host; something like
    /// "/docker/&lt;id&gt;" when /sys/fs/cgroup was bind-mounted from a sub-cgroup, which is why paths from
    /// /proc/self/cgroup must be made relative to it before they are joined to the mount point.
    /// </summary>
    public string Root { get; }

    /// <summary>v1: the controllers from the super options ("cpu", "cpuacct", "name=systemd"); unified: empty.</summary>
    public IReadOnlyList<string> Controllers { get; }

    /// <summary>True for the cgroup2 tree.</summary>
    public bool IsUnified { get; }

    public CgroupHierarchy(string mountPoint, string root, IReadOnlyList<string> controllers, bool isUnified)
    {
        MountPoint = CgroupFiles.TrimSlash(mountPoint);
        Root = root.Length == 0 ? "/" : CgroupFiles.TrimSlash(root);
        Controllers = controllers;
        IsUnified = isUnified;
    }

    /// <summary>The key used in <see cref="ICgroupManager.Paths"/>: the controllers joined with ',' for v1, "" for the unified tree.</summary>
    public string Key => IsUnified ? "" : string.Join(',', Controllers);

    public bool HasController(string controller) => Controllers.Contains(controller, StringComparer.Ordinal);

    /// <summary>The directory of the cgroup at <paramref name="pathInHierarchy"/> (e.g. "/a/b") under this mount.</summary>
    public string DirectoryFor(string pathInHierarchy)
    {
        var path = pathInHierarchy.Length == 0 ? "/" : pathInHierarchy;
        // Strip the mount's own root so that a sub-cgroup bind mount still resolves to the right directory.
        if (Root != "/" && (path == Root || path.StartsWith(Root + "/", StringComparison.Ordinal)))
            path = path.Length == Root.Length ? "/" : path[Root.Length..];
        return path == "/" ? MountPoint : MountPoint + "/" + path.Trim('/');
    }

    public override string ToString() => $"{(IsUnified ? "cgroup2" : "cgroup " + Key)} at {MountPoint} (root {Root})";
}
