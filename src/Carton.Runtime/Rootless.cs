using Carton.Linux.Cgroups;
using Carton.Linux.Interop;
using Carton.Linux.Processes;
using Carton.Linux.Spawn;
using Carton.Oci;

namespace Carton.Runtime;

/// <summary>
/// carton run by an unprivileged user. The container gets a user namespace; its maps are written directly when they
/// map only the caller's own uid/gid (then setgroups must be denied first), or by the setuid helpers
/// newuidmap/newgidmap (Debian's uidmap) from /etc/subuid and /etc/subgid ranges. cgroups that are not delegated to
/// the user are skipped with a warning, unless the config asks for limits, which then is an error.
/// </summary>
public static class Rootless
{
    public static bool IsRootless => CurrentProcess.IsUnprivileged;

    /// <summary>The default --root for root (docs/architecture.md, "One layout on disk"): a directory that holds only
    /// container ids, apart from the daemon's sockets and state in /run/carton.</summary>
    public const string RootStateRoot = "/run/carton/runtime";

    /// <summary>The default --root: <see cref="RootStateRoot"/> for root, $XDG_RUNTIME_DIR/carton/runtime (or
    /// /tmp/carton-UID/runtime) otherwise.</summary>
    public static string DefaultStateRoot()
    {
        if (!IsRootless) return RootStateRoot;
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(xdg)
            ? $"/tmp/carton-{CurrentProcess.EffectiveUserId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/runtime"
            : Path.Combine(xdg, "carton", "runtime");
    }

    /// <summary>Picks how the maps get written; returns true when setgroups is denied in the namespace.</summary>
    public static bool ChooseMapWriters(SpawnOptions spawn, Spec spec)
    {
        uint uid = CurrentProcess.EffectiveUserId;
        uint gid = CurrentProcess.EffectiveGroupId;
        bool selfOnly = IsSelfOnly(spec.Linux?.UidMappings, uid) && IsSelfOnly(spec.Linux?.GidMappings, gid);
        if (selfOnly)
        {
            spawn.SetgroupsDeny = true; // an unprivileged writer of gid_map must deny setgroups first
            return true;
        }
        spawn.UidMapHelper = Find("newuidmap");
        spawn.GidMapHelper = Find("newgidmap");
        return false;
    }

    private static bool IsSelfOnly(List<LinuxIdMapping>? maps, uint id) =>
        maps is { Count: 1 } && maps[0].HostID == id && maps[0].Size == 1;

    private static string Find(string tool)
    {
        foreach (var dir in new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" })
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        throw new RuntimeError($"linux.uidMappings: mapping more than the caller's own id needs {tool} (Debian package uidmap) and ranges in /etc/subuid and /etc/subgid");
    }

    /// <summary>Creates the cgroup when the user may; otherwise warns (or fails when limits are asked for) and returns false.</summary>
    public static bool TryCreateCgroup(ICgroupManager cgroup, Spec spec, List<string> warnings)
    {
        try
        {
            cgroup.Create();
            return true;
        }
        catch (CgroupException e) when (e.Errno is Errno.EACCES or Errno.EPERM or Errno.EROFS)
        {
            if (ResourceGroups.NeedDelegation(spec.Linux?.Resources))
                throw new RuntimeError($"linux.resources: rootless: cgroups are not delegated to this user, so limits cannot be applied ({e.Message})");
            warnings.Add($"rootless: cgroups are not delegated to uid {CurrentProcess.EffectiveUserId}; the container runs without its own cgroup ({e.Message})");
            return false;
        }
    }


    /// <summary>Stands in for a cgroup when a rootless container has none: every operation is a no-op.</summary>
    public static ICgroupManager NoCgroup(CgroupHost host) => new NoCgroupManager(host);
}
