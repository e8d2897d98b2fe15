namespace Carton.Linux.Cgroups;

/// <summary>Chooses the manager for the host's <see cref="CgroupMode"/>.</summary>
public static class CgroupManagerFactory
{
    /// <summary>A manager for a new container: resolves <paramref name="cgroupsPath"/> (see <see cref="CgroupPath"/>) in every hierarchy.</summary>
    public static ICgroupManager Create(CgroupHost host, string? cgroupsPath, string containerId)
    {
        var path = CgroupPath.Resolve(cgroupsPath, containerId);
        if (host.Mode == CgroupMode.V2)
        {
            var unified = host.Unified!;
            return new CgroupV2Manager(host, unified.DirectoryFor(path.InHierarchy(host, unified)));
        }
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        // Hierarchies includes the unified tree on hybrid hosts, so the container gets a directory there too.
        foreach (var hierarchy in host.Hierarchies)
            paths[hierarchy.Key] = hierarchy.DirectoryFor(path.InHierarchy(host, hierarchy));
        return new CgroupV1Manager(host, paths);
    }

    /// <summary>Reopens a container's cgroups from <see cref="ICgroupManager.Paths"/> saved in its state (for kill, delete, pause).</summary>
    public static ICgroupManager FromPaths(CgroupHost host, IReadOnlyDictionary<string, string> paths)
    {
        foreach (var (key, dir) in paths)
            if (!dir.StartsWith('/'))
                throw new CgroupException($"saved cgroup path for hierarchy \"{key}\" is not absolute: \"{dir}\"");
        if (host.Mode == CgroupMode.V2)
        {
            if (!paths.TryGetValue("", out var unified))
                throw new CgroupException("saved cgroup paths have no entry for the unified hierarchy, but the host is cgroup v2");
            return new CgroupV2Manager(host, unified);
        }
        return new CgroupV1Manager(host, paths);
    }
}
