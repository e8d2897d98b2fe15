using Carton.Docker;
using Carton.Linux.Mounts;
using Carton.Oci;

namespace Carton.Service;

/// <summary>The Docker API's local volumes with options on Linux: mount(2) of a tmpfs or a bind of a host directory on
/// the volume's data directory, the options split as dockerd's mount.ParseOptions splits them (flags, then data).</summary>
internal sealed class VolumeMounts : IVolumeMounts
{
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> Flags = new(StringComparer.Ordinal)
    {
        ["defaults"] = (false, 0), ["ro"] = (false, MountConstants.MS_RDONLY), ["rw"] = (true, MountConstants.MS_RDONLY),
        ["suid"] = (true, MountConstants.MS_NOSUID), ["nosuid"] = (false, MountConstants.MS_NOSUID),
        ["dev"] = (true, MountConstants.MS_NODEV), ["nodev"] = (false, MountConstants.MS_NODEV),
        ["exec"] = (true, MountConstants.MS_NOEXEC), ["noexec"] = (false, MountConstants.MS_NOEXEC),
        ["sync"] = (false, MountConstants.MS_SYNCHRONOUS), ["async"] = (true, MountConstants.MS_SYNCHRONOUS),
        ["dirsync"] = (false, MountConstants.MS_DIRSYNC), ["atime"] = (true, MountConstants.MS_NOATIME),
        ["noatime"] = (false, MountConstants.MS_NOATIME), ["diratime"] = (true, MountConstants.MS_NODIRATIME),
        ["nodiratime"] = (false, MountConstants.MS_NODIRATIME), ["relatime"] = (false, MountConstants.MS_RELATIME),
        ["strictatime"] = (false, MountConstants.MS_STRICTATIME), ["bind"] = (false, MountConstants.MS_BIND),
        ["rbind"] = (false, MountConstants.MS_BIND | MountConstants.MS_REC),
    };

    public void Mount(string device, string type, string options, string target)
    {
        ulong flags = 0;
        var data = new List<string>();
        foreach (var o in options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Flags.TryGetValue(o, out var f)) flags = f.Clear ? flags & ~f.Flag : flags | f.Flag;
            else data.Add(o);
        }
        var operation = $"mount {type} {device} on {target}";
        if ((flags & MountConstants.MS_BIND) != 0)
        {
            MountPoints.Bind(device, target, (flags & MountConstants.MS_REC) != 0, operation);
            // a bind takes no other flags at once: they need a remount of the bind (as dockerd's mount.Mount does)
            var rest = flags & ~(MountConstants.MS_BIND | MountConstants.MS_REC);
            if (rest != 0)
            {
                try { MountPoints.FileSystem("", target, "", MountConstants.MS_REMOUNT | MountConstants.MS_BIND | rest, null, "re" + operation); }
                catch
                {
                    MountPoints.TryUnmount(target, detach: true);
                    throw;
                }
            }
            return;
        }
        MountPoints.FileSystem(device, target, type, flags, data.Count > 0 ? string.Join(',', data) : null, operation);
    }

    public void Unmount(string target)
    {
        // busy (a shell of the host with its working directory there): detached, gone for every later user
        if (IsMounted(target) && MountPoints.TryUnmount(target) != 0) MountPoints.TryUnmount(target, detach: true);
    }

    public bool IsMounted(string target)
    {
        var full = Path.GetFullPath(target);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full) return true;
        }
        return false;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string s) =>
        s.Contains('\\', StringComparison.Ordinal) ? s.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal) : s;
}
