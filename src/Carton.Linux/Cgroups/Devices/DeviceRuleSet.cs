using System.Globalization;
using Carton.Oci;

namespace Carton.Linux.Cgroups.Devices;

/// <summary>Device access bits, numerically equal to the kernel's BPF_DEVCG_ACC_* values.</summary>
[Flags]
public enum DeviceAccess
{
    None = 0,
    Mknod = 1,
    Read = 2,
    Write = 4,
    All = Mknod | Read | Write,
}

/// <summary>
/// One exception of a normalized rule set: a device type ('b' or 'c'), a major and minor (-1 = wildcard) and the
/// access bits it grants (in a default-deny set) or takes away (in a default-allow set).
/// </summary>
public readonly record struct DeviceException(char Type, long Major, long Minor, DeviceAccess Access)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Type} {(Major < 0 ? "*" : Major.ToString(CultureInfo.InvariantCulture))}:{(Minor < 0 ? "*" : Minor.ToString(CultureInfo.InvariantCulture))} {DeviceRuleSet.FormatAccess(Access)}");
}

/// <summary>
/// The cgroup v1 device-controller model that an OCI <c>linux.resources.devices</c> list is applied to, the way
/// runc's devices emulator does it before generating the v2 eBPF filter, so that a rule list means the same on v1
/// and v2:
/// <list type="bullet">
/// <item>The state is a default behaviour (allow or deny) plus a list of exceptions keyed by (type, major, minor).
/// It starts as default-deny with no exceptions, so an empty list denies every device.</item>
/// <item>A rule of type "a" (or no type) resets everything: the default becomes the rule's verdict and all exceptions
/// are dropped; its major, minor and access are ignored (like writing "a" to devices.allow/deny).</item>
/// <item>A rule whose verdict differs from the default adds its access bits to the exception with exactly its key
/// (merging with what is there). A rule whose verdict equals the default removes its access bits from the exception
/// with exactly its key. Removing bits that a different, wildcard exception covering the key still holds is an error,
/// as in runc: cgroup v1 would silently ignore it ("cannot punch a hole in a wildcard rule").</item>
/// <item>Check (kernel <c>__devcgroup_check_permission</c>): in a default-deny set a request is allowed only when one
/// exception matches the device and holds every requested bit; in a default-allow set a request is denied as soon as
/// one exception matches the device and holds any requested bit.</item>
/// </list>
/// For the usual list (deny-all first, then allows) this is "the last matching rule wins" of config-linux.md, with
/// allows for the same device merged.
/// </summary>
public sealed class DeviceRuleSet
{
    private readonly List<DeviceException> _exceptions = [];

    /// <summary>True when devices not covered by an exception are allowed (the list's last "a" rule was an allow).</summary>
    public bool DefaultAllow { get; private set; }

    /// <summary>The exceptions, in the order their keys first appeared; all of them carry the verdict opposite to the default.</summary>
    public IReadOnlyList<DeviceException> Exceptions => _exceptions;

    /// <summary>True when the set allows every access to every device.</summary>
    public bool IsAllowAll => DefaultAllow && _exceptions.Count == 0;

    /// <summary>Validates and applies <paramref name="rules"/> in order. Throws <see cref="CgroupException"/> naming the offending entry.</summary>
    public static DeviceRuleSet FromRules(IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var set = new DeviceRuleSet();
        for (var i = 0; i < rules.Count; i++) set.Apply(rules[i], i);
        return set;
    }

    /// <summary>Evaluates a request against the set (what the compiled filter computes); <paramref name="type"/> is 'b' or 'c'.</summary>
    public bool IsAllowed(char type, uint major, uint minor, DeviceAccess access)
    {
        foreach (var ex in _exceptions)
        {
            if (ex.Type != type || (ex.Major >= 0 && ex.Major != major) || (ex.Minor >= 0 && ex.Minor != minor)) continue;
            if (DefaultAllow)
            {
                if ((access & ex.Access) != 0) return false;
            }
            else if ((access & ~ex.Access) == 0)
            {
                return true;
            }
        }
        return DefaultAllow;
    }

    private void Apply(LinuxDeviceCgroup rule, int index)
    {
        if (rule is null) throw new CgroupException($"{Field(index)}: null entry");
        var type = ParseType(rule.Type, index);
        var access = ParseAccess(rule.Access, index);
        if (type == 'a')
        {
            DefaultAllow = rule.Allow;
            _exceptions.Clear();
            return;
        }
        var major = ParseNumber(rule.Major, index, "major");
        var minor = ParseNumber(rule.Minor, index, "minor");
        var key = new DeviceException(type, major, minor, DeviceAccess.None);
        if (rule.Allow != DefaultAllow) Add(key, access);
        else Remove(key, access, index);
    }

    private void Add(DeviceException key, DeviceAccess access)
    {
        var i = IndexOf(key.Type, key.Major, key.Minor);
        if (i < 0) _exceptions.Add(key with { Access = access });
        else _exceptions[i] = _exceptions[i] with { Access = _exceptions[i].Access | access };
    }

    private void Remove(DeviceException key, DeviceAccess access, int index)
    {
        // A wildcard exception that covers this key keeps granting (or denying) the bits whatever happens to the exact
        // key; cgroup v1 silently ignores such a request, runc refuses it, and so do we.
        foreach (var (major, minor) in new[] { (-1L, key.Minor), (key.Major, -1L), (-1L, -1L) })
        {
            if (major == key.Major && minor == key.Minor) continue;
            var w = IndexOf(key.Type, major, minor);
            if (w >= 0 && (_exceptions[w].Access & access) != 0)
            {
                var verb = DefaultAllow ? "allow" : "deny";
                throw new CgroupException(
                    $"{Field(index)}: cannot {verb} {key with { Access = access }}: it would punch a hole in the wildcard rule {_exceptions[w]}, which the device controller does not support");
            }
        }
        var i = IndexOf(key.Type, key.Major, key.Minor);
        if (i < 0) return;
        var left = _exceptions[i].Access & ~access;
        if (left == DeviceAccess.None) _exceptions.RemoveAt(i);
        else _exceptions[i] = _exceptions[i] with { Access = left };
    }

    private int IndexOf(char type, long major, long minor) =>
        _exceptions.FindIndex(e => e.Type == type && e.Major == major && e.Minor == minor);

    private static string Field(int index) => string.Create(CultureInfo.InvariantCulture, $"linux.resources.devices[{index}]");

    private static char ParseType(string? type, int index) => type switch
    {
        null or "" or "a" => 'a',
        "b" => 'b',
        "c" => 'c',
        _ => throw new CgroupException($"{Field(index)}.type: invalid device type \"{type}\" (must be \"a\", \"b\" or \"c\")"),
    };

    private static DeviceAccess ParseAccess(string? access, int index)
    {
        // runc's specconv refuses an empty access string ("device access at N field cannot be empty").
        if (string.IsNullOrEmpty(access)) throw new CgroupException($"{Field(index)}.access: must not be empty (use a combination of r, w and m)");
        var bits = DeviceAccess.None;
        foreach (var c in access)
        {
            bits |= c switch
            {
                'r' => DeviceAccess.Read,
                'w' => DeviceAccess.Write,
                'm' => DeviceAccess.Mknod,
                _ => throw new CgroupException($"{Field(index)}.access: invalid access \"{access}\" (must be a combination of r, w and m)"),
            };
        }
        return bits;
    }

    /// <summary>null (and, as in runc where -1 is the wildcard, any negative number) means "*".</summary>
    private static long ParseNumber(long? value, int index, string name)
    {
        if (value is null || value < 0) return -1;
        if (value > uint.MaxValue) throw new CgroupException(string.Create(CultureInfo.InvariantCulture, $"{Field(index)}.{name}: {value} is out of range (0..{uint.MaxValue})"));
        return value.Value;
    }

    internal static string FormatAccess(DeviceAccess access) =>
        ((access & DeviceAccess.Read) != 0 ? "r" : "") + ((access & DeviceAccess.Write) != 0 ? "w" : "") + ((access & DeviceAccess.Mknod) != 0 ? "m" : "");
}
