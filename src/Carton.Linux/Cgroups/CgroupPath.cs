namespace Carton.Linux.Cgroups;

/// <summary>
/// A validated linux.cgroupsPath, resolved the way runc's cgroupfs driver resolves it, plus runc's
/// systemd "slice:prefix:name" form mapped onto the directories systemd would create.
/// <list type="bullet">
/// <item>Absolute "/a/b": taken relative to each hierarchy's root (runtime-spec: "relative to the cgroups mount point").</item>
/// <item>Relative "a/b": relative to the caller's own cgroup in each hierarchy (/proc/self/cgroup). On a pure
///   cgroup v2 host it is relative to the <em>parent</em> of the caller's cgroup, as runc's fs2 driver does: the
///   caller's own cgroup holds processes, and cgroup v2's no-internal-processes rule would then forbid enabling
///   controllers for a child of it.</item>
/// <item>Empty or null: the relative path "&lt;containerId&gt;". This is what runc does (specconv leaves Path empty and
///   sets Name = id, and the fs drivers join a relative inner path to the caller's cgroup), so a container started
///   from a shell lands next to that shell's cgroup rather than at the hierarchy root.</item>
/// <item>"slice:prefix:name" (exactly two colons, not starting with '/'): runc's systemd driver layout —
///   the slice (default "system.slice") expanded to its nested directories ("a-b.slice" → "/a.slice/a-b.slice"),
///   then the unit "prefix-name.scope" ("name.scope" when prefix is empty; "name" itself when it ends in ".slice").
///   Carton does not talk to systemd; it only uses the same directories.</item>
/// </list>
/// ".." components are rejected instead of being cleaned away, so a path can never escape its hierarchy.
/// </summary>
public sealed class CgroupPath
{
    private const string SliceSuffix = ".slice";

    /// <summary>"/a/b" for absolute and systemd paths; "a/b" (no leading slash) for relative ones.</summary>
    public string Path { get; }

    /// <summary>True when <see cref="Path"/> is interpreted relative to the caller's cgroup.</summary>
    public bool IsRelative { get; }

    /// <summary>The systemd unit name ("runc-foo.scope") when the systemd form was used, else null.</summary>
    public string? SystemdUnit { get; }

    private CgroupPath(string path, bool isRelative, string? systemdUnit)
    {
        Path = path;
        IsRelative = isRelative;
        SystemdUnit = systemdUnit;
    }

    /// <summary>Validates and classifies <paramref name="cgroupsPath"/>; throws <see cref="CgroupException"/> ("linux.cgroupsPath: ...") when invalid.</summary>
    public static CgroupPath Resolve(string? cgroupsPath, string containerId)
    {
        if (string.IsNullOrEmpty(cgroupsPath))
        {
            var id = Component(containerId, "container id", cgroupsPath ?? "");
            return new CgroupPath(id, isRelative: true, systemdUnit: null);
        }
        if (cgroupsPath.Contains('\0')) throw Invalid(cgroupsPath, "contains a NUL byte");

        if (!cgroupsPath.StartsWith('/') && cgroupsPath.Count(c => c == ':') == 2) return ResolveSystemd(cgroupsPath);

        var components = new List<string>();
        foreach (var part in cgroupsPath.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") throw Invalid(cgroupsPath, "\"..\" components are not allowed");
            components.Add(part);
        }
        if (cgroupsPath.StartsWith('/')) return new CgroupPath("/" + string.Join('/', components), isRelative: false, systemdUnit: null);
        if (components.Count == 0) throw Invalid(cgroupsPath, "relative path names no cgroup");
        return new CgroupPath(string.Join('/', components), isRelative: true, systemdUnit: null);
    }

    /// <summary>
    /// The cgroup's path inside <paramref name="hierarchy"/> ("/..." from the hierarchy root), resolving a relative
    /// path against the caller's cgroup recorded in <paramref name="host"/>.
    /// </summary>
    public string InHierarchy(CgroupHost host, CgroupHierarchy hierarchy)
    {
        if (!IsRelative) return Path;
        var own = host.GetOwnPath(hierarchy);
        if (hierarchy.IsUnified && host.Mode == CgroupMode.V2) own = Parent(own);
        return own == "/" ? "/" + Path : own.TrimEnd('/') + "/" + Path;
    }

    public override string ToString() => Path;

    private static string Parent(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }

    /// <summary>"slice:prefix:name" → expanded slice directories + unit directory, as runc's systemd driver names them.</summary>
    private static CgroupPath ResolveSystemd(string value)
    {
        var parts = value.Split(':');
        var slice = parts[0].Length == 0 ? "system.slice" : parts[0];
        var prefix = parts[1];
        var name = parts[2];
        if (name.Length == 0) throw Invalid(value, "systemd form \"slice:prefix:name\" needs a name");
        if (prefix.Contains('/')) throw Invalid(value, $"systemd scope prefix \"{prefix}\" must not contain '/'");
        Component(name, "systemd unit name", value);

        string unit;
        if (name.EndsWith(SliceSuffix, StringComparison.Ordinal))
        {
            ExpandSlice(name, value); // validates the name as a slice
            unit = name;
        }
        else unit = prefix.Length == 0 ? name + ".scope" : $"{prefix}-{name}.scope";

        var slicePath = ExpandSlice(slice, value);
        var path = (slicePath == "/" ? "" : slicePath) + "/" + unit;
        return new CgroupPath(path, isRelative: false, systemdUnit: unit);
    }

    /// <summary>
    /// systemd encodes slice nesting in the name with '-': "test-a-b.slice" lives at
    /// "/test.slice/test-a.slice/test-a-b.slice"; "-.slice" is the root slice.
    /// </summary>
    public static string ExpandSlice(string slice, string? cgroupsPath = null)
    {
        var context = cgroupsPath ?? slice;
        if (slice.Length <= SliceSuffix.Length || !slice.EndsWith(SliceSuffix, StringComparison.Ordinal) || slice.Contains('/'))
            throw Invalid(context, $"invalid systemd slice name \"{slice}\" (must end in \".slice\" and contain no '/')");
        var stem = slice[..^SliceSuffix.Length];
        if (stem == "-") return "/";

        var path = "";
        var prefix = "";
        foreach (var component in stem.Split('-'))
        {
            // "a--b.slice" and "-a.slice" name no valid parent slice.
            if (component.Length == 0) throw Invalid(context, $"invalid systemd slice name \"{slice}\" (empty component between '-')");
            path += "/" + prefix + component + SliceSuffix;
            prefix += component + "-";
        }
        return path;
    }

    private static string Component(string value, string what, string cgroupsPath)
    {
        if (value.Length == 0 || value == "." || value == ".." || value.Contains('/') || value.Contains('\0'))
            throw Invalid(cgroupsPath, $"{what} \"{value}\" cannot be used as a cgroup name");
        return value;
    }

    private static CgroupException Invalid(string value, string reason) => new($"linux.cgroupsPath: invalid value \"{value}\": {reason}");
}
