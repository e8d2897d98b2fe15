namespace Carton.Oci;

/// <summary>
/// config-linux.md "Namespaces": type strings, their clone(2)/unshare(2)/setns(2) CLONE_NEW* flag,
/// and the /proc/[pid]/ns/ file name (which differs from the type for mount and network).
/// </summary>
public static class NamespaceKinds
{
    public const string Pid = "pid";
    public const string Network = "network";
    public const string Mount = "mount";
    public const string Ipc = "ipc";
    public const string Uts = "uts";
    public const string User = "user";
    public const string Cgroup = "cgroup";
    public const string Time = "time";

    public const ulong CLONE_NEWTIME = 0x00000080;
    public const ulong CLONE_NEWNS = 0x00020000;
    public const ulong CLONE_NEWCGROUP = 0x02000000;
    public const ulong CLONE_NEWUTS = 0x04000000;
    public const ulong CLONE_NEWIPC = 0x08000000;
    public const ulong CLONE_NEWUSER = 0x10000000;
    public const ulong CLONE_NEWPID = 0x20000000;
    public const ulong CLONE_NEWNET = 0x40000000;

    private readonly record struct Info(ulong Flag, string ProcName);

    private static readonly Dictionary<string, Info> ByType = new(StringComparer.Ordinal)
    {
        [Pid] = new(CLONE_NEWPID, "pid"),
        [Network] = new(CLONE_NEWNET, "net"),
        [Mount] = new(CLONE_NEWNS, "mnt"),
        [Ipc] = new(CLONE_NEWIPC, "ipc"),
        [Uts] = new(CLONE_NEWUTS, "uts"),
        [User] = new(CLONE_NEWUSER, "user"),
        [Cgroup] = new(CLONE_NEWCGROUP, "cgroup"),
        [Time] = new(CLONE_NEWTIME, "time"),
    };

    /// <summary>All spec type names (features-linux.md order: alphabetical).</summary>
    public static IReadOnlyList<string> All { get; } = ByType.Keys.Order(StringComparer.Ordinal).ToArray();

    public static bool IsKnown(string type) => ByType.ContainsKey(type);

    public static bool TryGetCloneFlag(string type, out ulong flag)
    {
        var ok = ByType.TryGetValue(type, out var i);
        flag = i.Flag;
        return ok;
    }

    /// <summary>CLONE_NEW* flag for a spec type; throws for unknown types.</summary>
    public static ulong GetCloneFlag(string type) =>
        ByType.TryGetValue(type, out var i) ? i.Flag : throw new ArgumentException($"unknown namespace type \"{type}\"", nameof(type));

    /// <summary>File name under /proc/[pid]/ns/ for a spec type (e.g. "mount" -> "mnt").</summary>
    public static string GetProcName(string type) =>
        ByType.TryGetValue(type, out var i) ? i.ProcName : throw new ArgumentException($"unknown namespace type \"{type}\"", nameof(type));

    /// <summary>Spec type for a CLONE_NEW* flag, or null.</summary>
    public static string? TypeFromCloneFlag(ulong cloneFlag) =>
        ByType.FirstOrDefault(kv => kv.Value.Flag == cloneFlag).Key;
}
