namespace Carton.Linux.Cgroups;

/// <summary>
/// The cgroup(s) of one container. Implementations: <see cref="CgroupV1Manager"/> (v1 and hybrid hosts) and
/// <see cref="CgroupV2Manager"/> (unified hosts); obtain one from <see cref="CgroupManagerFactory"/>.
/// </summary>
public interface ICgroupManager
{
    /// <summary>The host layout this manager drives.</summary>
    CgroupMode Mode { get; }

    /// <summary>
    /// Hierarchy key → absolute cgroup directory. Keys are the v1 controllers joined with ',' ("cpu,cpuacct",
    /// "name=systemd") and "" for the unified tree. This is what gets saved in container state and handed back to
    /// <see cref="CgroupManagerFactory.FromPaths"/> for later kill/delete.
    /// </summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>Non-fatal problems met so far (e.g. a controller that could not be enabled in cgroup.subtree_control).</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Writes linux.resources (config-linux.md "Control groups") to the cgroup files: <see cref="CgroupV1Resources"/>
    /// or <see cref="CgroupV2Resources"/>. Throws <see cref="CgroupException"/> naming the OCI field on the first
    /// setting that cannot be applied; returns warnings for settings that were skipped (also added to <see cref="Warnings"/>).
    /// </summary>
    IReadOnlyList<string> ApplyResources(Carton.Oci.LinuxResources resources);

    /// <summary>The directory holding <paramref name="controller"/>'s files ("memory", "pids", ...), or null if that controller is not mounted.</summary>
    string? GetPath(string controller);

    /// <summary>mkdir -p the cgroup in every hierarchy (on v2 also enabling controllers on the way down). Idempotent.</summary>
    void Create();

    /// <summary>Moves <paramref name="pid"/> (a whole thread group) into the cgroup in every hierarchy.</summary>
    void AddProcess(int pid);

    /// <summary>All processes in the cgroup and its child cgroups; empty when the cgroup does not exist.</summary>
    IReadOnlyList<int> GetPids();

    /// <summary>Sends <paramref name="signal"/> to every process in the cgroup (freezing it meanwhile, so forks cannot escape).</summary>
    void SignalAll(int signal);

    /// <summary>True if the cgroup directory exists in at least one hierarchy (a half-removed cgroup still needs <see cref="Destroy"/>).</summary>
    bool Exists();

    /// <summary>"THAWED", "FROZEN" or "FREEZING" (see <see cref="FreezerState"/>), or "" when there is no freezer or no cgroup.</summary>
    string GetFreezerState();

    /// <summary>Freezes every process in the cgroup and returns once the kernel reports the cgroup frozen.</summary>
    void Freeze();

    /// <summary>Thaws the cgroup and returns once the kernel reports it thawed.</summary>
    void Thaw();

    /// <summary>
    /// Removes the cgroup and any child cgroups in every hierarchy, deepest first. Busy cgroups are retried for about
    /// a second, killing leftover processes with SIGKILL in between; directories that are already gone are fine.
    /// </summary>
    void Destroy();
}
