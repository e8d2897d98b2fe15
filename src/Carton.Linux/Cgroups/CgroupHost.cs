using System.Text;

namespace Carton.Linux.Cgroups;

/// <summary>
/// What the host offers: the mounted cgroup hierarchies (from /proc/self/mountinfo), the resulting
/// <see cref="CgroupMode"/>, and the calling process's own cgroup in each hierarchy (from /proc/self/cgroup),
/// which relative cgroupsPath values are resolved against.
/// </summary>
public sealed class CgroupHost
{
    private const string HostCgroupRoot = "/sys/fs/cgroup";

    // v1 controllers the kernel has had. Super options of a cgroup mount mix controllers with mount flags
    // (rw, xattr, seclabel, release_agent=...), so an option counts as a controller only if it is one of these,
    // a "name=" hierarchy, or a controller that /proc/self/cgroup lists (which covers controllers newer than this list).
    private static readonly HashSet<string> KnownV1Controllers = new(StringComparer.Ordinal)
    {
        "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "net_prio", "perf_event",
        "hugetlb", "pids", "rdma", "misc", "debug",
    };

    private readonly Dictionary<string, string> _ownPaths = new(StringComparer.Ordinal);

    /// <summary>
    /// V2 when only cgroup2 is mounted, Hybrid when v1 hierarchies and a cgroup2 tree coexist, V1 otherwise. The
    /// mount location is not checked (runc checks statfs("/sys/fs/cgroup")), so fake trees in temp dirs classify the same way.
    /// </summary>
    public CgroupMode Mode { get; }

    /// <summary>All hierarchies, v1 ones first in mountinfo order, then the unified one if mounted.</summary>
    public IReadOnlyList<CgroupHierarchy> Hierarchies { get; }

    /// <summary>The v1 hierarchies (controllers and named ones such as name=systemd).</summary>
    public IReadOnlyList<CgroupHierarchy> V1Hierarchies { get; }

    /// <summary>The cgroup2 tree, or null on a pure v1 host.</summary>
    public CgroupHierarchy? Unified { get; }

    /// <summary>The calling process's cgroup per hierarchy key ("" for unified), e.g. "memory" → "/user.slice".</summary>
    public IReadOnlyDictionary<string, string> OwnPaths => _ownPaths;

    /// <summary>Builds a host view from the contents of a mountinfo file and a /proc/&lt;pid&gt;/cgroup file (tests feed fake ones).</summary>
    public CgroupHost(string mountinfoText, string procSelfCgroupText)
    {
        var v1 = new List<CgroupHierarchy>();
        CgroupHierarchy? unified = null;
        var ownCgroups = ParseProcCgroup(procSelfCgroupText);
        var controllerNames = new HashSet<string>(KnownV1Controllers, StringComparer.Ordinal);
        foreach (var (controllers, _) in ownCgroups) controllerNames.UnionWith(controllers);

        foreach (var mount in ParseMountinfo(mountinfoText, controllerNames))
        {
            if (mount.IsUnified)
            {
                if (unified is null || Prefer(mount, unified)) unified = mount;
                continue;
            }
            var existing = v1.FindIndex(h => SameControllers(h.Controllers, mount.Controllers));
            // The same hierarchy can be mounted several times (bind mounts into container roots); keep one, the host's if present.
            if (existing < 0) v1.Add(mount);
            else if (Prefer(mount, v1[existing])) v1[existing] = mount;
        }

        V1Hierarchies = v1;
        Unified = unified;
        Hierarchies = unified is null ? v1 : [.. v1, unified];
        Mode = (v1.Count > 0, unified is not null) switch
        {
            (true, true) => CgroupMode.Hybrid,
            (false, true) => CgroupMode.V2,
            (true, false) => CgroupMode.V1,
            _ => throw new CgroupException("no cgroup or cgroup2 filesystem is mounted (according to mountinfo)"),
        };

        foreach (var (controllers, path) in ownCgroups)
        {
            if (controllers.Length == 0)
            {
                if (unified is not null) _ownPaths[""] = path;
                continue;
            }
            var hierarchy = v1.FirstOrDefault(h => SameControllers(h.Controllers, controllers));
            if (hierarchy is not null) _ownPaths[hierarchy.Key] = path;
        }
    }

    /// <summary>Probes the running host (or the given files).</summary>
    public static CgroupHost Probe(string procSelfMountinfo = "/proc/self/mountinfo", string procSelfCgroup = "/proc/self/cgroup") =>
        new(CgroupFiles.Read(procSelfMountinfo), CgroupFiles.Read(procSelfCgroup));

    /// <summary>The calling process's cgroup in <paramref name="hierarchy"/>; "/" if /proc/self/cgroup did not list it.</summary>
    public string GetOwnPath(CgroupHierarchy hierarchy) => _ownPaths.TryGetValue(hierarchy.Key, out var path) ? path : "/";

    /// <summary>The hierarchy with the given <see cref="CgroupHierarchy.Key"/>, or null.</summary>
    public CgroupHierarchy? FindByKey(string key) => Hierarchies.FirstOrDefault(h => h.Key == key);

    /// <summary>The v1 hierarchy carrying <paramref name="controller"/> (e.g. "freezer"), or null.</summary>
    public CgroupHierarchy? FindByController(string controller) => V1Hierarchies.FirstOrDefault(h => h.HasController(controller));

    /// <summary>The hierarchy whose mount point contains <paramref name="directory"/> (deepest mount wins), or null.</summary>
    public CgroupHierarchy? FindByDirectory(string directory) =>
        Hierarchies.Where(h => CgroupFiles.IsUnder(directory, h.MountPoint)).MaxBy(h => h.MountPoint.Length);

    private static bool Prefer(CgroupHierarchy candidate, CgroupHierarchy current) =>
        !CgroupFiles.IsUnder(current.MountPoint, HostCgroupRoot) && CgroupFiles.IsUnder(candidate.MountPoint, HostCgroupRoot);

    private static bool SameControllers(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.All(b.Contains);

    /// <summary>
    /// mountinfo lines: "id parent maj:min root mountpoint options [optional...] - fstype source superoptions".
    /// The optional fields vary in number, so the filesystem type is found after the lone "-" separator.
    /// </summary>
    private static IEnumerable<CgroupHierarchy> ParseMountinfo(string text, HashSet<string> controllerNames)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var fields = rawLine.Trim().Split(' ');
            if (fields.Length < 10) continue; // 6 fixed fields, "-", fstype, source, super options
            var sep = Array.IndexOf(fields, "-", 6);
            if (sep < 0 || fields.Length < sep + 4) continue;
            var fstype = fields[sep + 1];
            if (fstype != "cgroup" && fstype != "cgroup2") continue;

            var root = Unescape(fields[3]);
            var mountPoint = Unescape(fields[4]);
            if (fstype == "cgroup2")
            {
                yield return new CgroupHierarchy(mountPoint, root, [], isUnified: true);
                continue;
            }
            var controllers = fields[sep + 3].Split(',')
                .Where(o => o.StartsWith("name=", StringComparison.Ordinal) || controllerNames.Contains(o))
                .ToArray();
            if (controllers.Length > 0) yield return new CgroupHierarchy(mountPoint, root, controllers, isUnified: false);
        }
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();

        static bool IsOctal(string s, int at) =>
            at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
    }

    /// <summary>
    /// /proc/self/cgroup lines: "N:ctrl,ctrl:/path" for v1 (named hierarchies appear as "name=systemd"),
    /// "0::/path" for cgroup2 (returned with no controllers). Lines are later matched to mounts by controller
    /// set, not by order, because the kernel and the mount options may list co-mounted controllers differently.
    /// </summary>
    private static List<(string[] Controllers, string Path)> ParseProcCgroup(string text)
    {
        var result = new List<(string[], string)>();
        foreach (var rawLine in text.Split('\n'))
        {
            var parts = rawLine.TrimEnd('\r').Split(':', 3);
            if (parts.Length != 3 || parts[2].Length == 0) continue;
            if (parts[1].Length == 0 && parts[0] != "0") continue;
            result.Add((parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries), parts[2]));
        }
        return result;
    }
}
