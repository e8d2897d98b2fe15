namespace Carton.Oci;

/// <summary>
/// RLIMIT_* names and resource numbers for setrlimit(2)/prlimit(2) on Linux (asm-generic/resource.h;
/// x86/arm64 use the generic numbering). config.md "rlimits" names the type as the RLIMIT_ constant.
/// </summary>
public static class KnownRlimits
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["RLIMIT_CPU"] = 0,
        ["RLIMIT_FSIZE"] = 1,
        ["RLIMIT_DATA"] = 2,
        ["RLIMIT_STACK"] = 3,
        ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5,
        ["RLIMIT_NPROC"] = 6,
        ["RLIMIT_NOFILE"] = 7,
        ["RLIMIT_MEMLOCK"] = 8,
        ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10,
        ["RLIMIT_SIGPENDING"] = 11,
        ["RLIMIT_MSGQUEUE"] = 12,
        ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14,
        ["RLIMIT_RTTIME"] = 15,
    };

    /// <summary>All names, in resource-number order.</summary>
    public static IReadOnlyList<string> All { get; } = ByName.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray();

    public static bool TryGetResource(string name, out int resource) => ByName.TryGetValue(name, out resource);

    public static bool IsKnown(string name) => ByName.ContainsKey(name);
}
