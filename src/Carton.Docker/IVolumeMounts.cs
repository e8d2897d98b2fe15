namespace Carton.Docker;

/// <summary>
/// The host mounts of local volumes with options (dockerd's local driver: <c>mount -t TYPE -o O DEVICE DATA</c>):
/// a tmpfs, or a bind of a host directory, on the volume's data directory. Carton.Docker is platform-free; the Linux
/// implementation lives with the daemon.
/// </summary>
public interface IVolumeMounts
{
    /// <summary>Mounts <paramref name="device"/> of <paramref name="type"/> ("tmpfs", or "none" for a bind) on
    /// <paramref name="target"/> with the comma-separated <paramref name="options"/> (flags such as bind, ro, nosuid
    /// become mount flags, the rest the file system's data, as dockerd's mount.ParseOptions splits them).</summary>
    void Mount(string device, string type, string options, string target);

    /// <summary>Unmounts <paramref name="target"/>; nothing when it is no mount point.</summary>
    void Unmount(string target);

    /// <summary>Whether something is mounted exactly at <paramref name="target"/> (a daemon restarted over mounts its
    /// predecessor made finds them here).</summary>
    bool IsMounted(string target);
}
