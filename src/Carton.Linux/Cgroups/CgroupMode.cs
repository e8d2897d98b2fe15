namespace Carton.Linux.Cgroups;

/// <summary>
/// How the host laid out its cgroup filesystems. The mode decides which manager drives a container:
/// V1 and Hybrid use per-controller v1 hierarchies (Hybrid additionally mirrors the container into the
/// controller-less cgroup2 tree, as runc does), V2 uses the single unified tree.
/// </summary>
public enum CgroupMode
{
    /// <summary>Only cgroup v1 hierarchies are mounted.</summary>
    V1,

    /// <summary>Only a cgroup2 filesystem is mounted (the common case on current distributions).</summary>
    V2,

    /// <summary>v1 controller hierarchies plus a cgroup2 mount (usually /sys/fs/cgroup/unified) that holds few or no controllers.</summary>
    Hybrid,
}
