using Carton.Oci;

namespace Carton.Linux.Cgroups.Devices;

/// <summary>
/// The device rules runc adds to every container (libcontainer/specconv <c>AllowedDevices</c>), appended after the
/// spec's own <c>linux.resources.devices</c> when the cgroup is set up, so a spec that starts with deny-all still
/// gets the standard character devices. In runc's order:
/// <list type="number">
/// <item><c>c *:* m</c> — mknod of any character device</item>
/// <item><c>b *:* m</c> — mknod of any block device</item>
/// <item><c>c 1:3 rwm</c> — /dev/null</item>
/// <item><c>c 1:8 rwm</c> — /dev/random</item>
/// <item><c>c 1:7 rwm</c> — /dev/full</item>
/// <item><c>c 5:0 rwm</c> — /dev/tty</item>
/// <item><c>c 1:5 rwm</c> — /dev/zero</item>
/// <item><c>c 1:9 rwm</c> — /dev/urandom</item>
/// <item><c>c 136:* rwm</c> — /dev/pts/* (Unix98 pty slaves)</item>
/// <item><c>c 5:2 rwm</c> — /dev/ptmx</item>
/// <item><c>c 10:200 rwm</c> — /dev/net/tun (dropped in runc 1.2.0, restored in 1.2.1)</item>
/// </list>
/// Because they are appended, a spec cannot take these away (runc's own comments call that questionable, but
/// containers depend on it).
/// </summary>
public static class DefaultDeviceRules
{
    /// <summary>A fresh copy of the list (the OCI model is mutable, so callers get their own objects).</summary>
    public static IReadOnlyList<LinuxDeviceCgroup> Create() =>
    [
        Allow("c", null, null, "m"),
        Allow("b", null, null, "m"),
        Allow("c", 1, 3, "rwm"),
        Allow("c", 1, 8, "rwm"),
        Allow("c", 1, 7, "rwm"),
        Allow("c", 5, 0, "rwm"),
        Allow("c", 1, 5, "rwm"),
        Allow("c", 1, 9, "rwm"),
        Allow("c", 136, null, "rwm"),
        Allow("c", 5, 2, "rwm"),
        Allow("c", 10, 200, "rwm"),
    ];

    /// <summary>The spec's rules (none when null) followed by <see cref="Create"/>, the list runc applies to the cgroup.</summary>
    public static IReadOnlyList<LinuxDeviceCgroup> AppendTo(IReadOnlyList<LinuxDeviceCgroup>? specRules)
    {
        var all = new List<LinuxDeviceCgroup>(specRules ?? []);
        all.AddRange(Create());
        return all;
    }

    private static LinuxDeviceCgroup Allow(string type, long? major, long? minor, string access) =>
        new() { Allow = true, Type = type, Major = major, Minor = minor, Access = access };
}
