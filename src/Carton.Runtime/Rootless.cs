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

    /// <summary>The default --root: /run/carton for root, $XDG_RUNTIME_DIR/carton (or /tmp/carton-UID) otherwise.</summary>
    public static string DefaultStateRoot()
    {
        if (!IsRootless) return "/run/carton";
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(xdg)
            ? $"/tmp/carton-{CurrentProcess.EffectiveUserId.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : Path.Combine(xdg, "carton");
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
            var r = spec.Linux?.Resources;
            if (r is not null && (r.Memory is not null || r.Cpu is not null || r.Pids is not null || r.BlockIO is not null
                                  || r.HugepageLimits is { Count: > 0 } || r.Unified is { Count: > 0 } || r.Rdma is { Count: > 0 }))
                throw new RuntimeError($"linux.resources: rootless: cgroups are not delegated to this user, so limits cannot be applied ({e.Message})");
            warnings.Add($"rootless: cgroups are not delegated to uid {CurrentProcess.EffectiveUserId}; the container runs without its own cgroup ({e.Message})");
            return false;
        }
    }


    /// <summary>Stands in for a cgroup when a rootless container has none: every operation is a no-op.</summary>
    public static ICgroupManager NoCgroup(CgroupHost host) => new NoCgroupManager(host);
}
