namespace Carton.Linux.Cgroups.Controllers;

/// <summary>What a controller needs to apply linux.resources on a cgroup v1 (or hybrid) host.</summary>
/// <param name="host">The probed host, used to tell "controller not mounted" from "no cgroup for it" and, on hybrid hosts, to reach the unified tree.</param>
/// <param name="paths">Hierarchy key ("cpu,cpuacct", "memory", "name=systemd"; "" for the unified tree) → absolute cgroup directory.</param>
/// <param name="writer">Every write goes through it.</param>
internal sealed class CgroupV1Context(CgroupHost host, IReadOnlyDictionary<string, string> paths, CgroupResourceWriter writer)
{
    public CgroupHost Host => host;

    public IReadOnlyDictionary<string, string> Paths => paths;

    public CgroupResourceWriter Writer => writer;

    /// <summary>Settings that were skipped or not fully honoured.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The directory of the hierarchy carrying <paramref name="controller"/>, or null.</summary>
    public string? Find(string controller)
    {
        foreach (var (key, dir) in paths)
            if (key.Length > 0 && key.Split(',').Contains(controller, StringComparer.Ordinal)) return dir;
        return null;
    }

    /// <summary>The directory for <paramref name="controller"/>, or an error naming the OCI field that needs it.</summary>
    public string Require(string controller, string field) =>
        Find(controller) ?? throw new CgroupException(host.FindByController(controller) is { } h
            ? $"{field}: the container has no cgroup in the {controller} hierarchy ({h.MountPoint})"
            : $"{field}: the {controller} controller is not mounted on this host");
}
