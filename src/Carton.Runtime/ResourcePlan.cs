using Carton.Oci;

namespace Carton.Runtime;

/// <summary>
/// The linux.resources carton applies to a container's cgroup: the spec's own, with the device rules that runc adds
/// (its specconv AllowedDevices and an allow rule per linux.devices entry) appended after the spec's rules. Rules are
/// evaluated last-match-wins (config-linux.md "Allowed Device Cgroup"), so the spec's usual leading "deny all"
/// still leaves the standard devices usable, exactly as under runc.
/// </summary>
public static class ResourcePlan
{
    private static LinuxDeviceCgroup Allow(string type, long? major, long? minor, string access) =>
        new() { Allow = true, Type = type, Major = major, Minor = minor, Access = access };

    /// <summary>runc's default allow list, in runc's order.</summary>
    public static IReadOnlyList<LinuxDeviceCgroup> DefaultAllowedDevices() =>
    [
        Allow("c", null, null, "m"), Allow("b", null, null, "m"),          // mknod of any device (opening is separate)
        Allow("c", 1, 3, "rwm"), Allow("c", 1, 8, "rwm"), Allow("c", 1, 7, "rwm"), // null, random, full
        Allow("c", 5, 0, "rwm"), Allow("c", 1, 5, "rwm"), Allow("c", 1, 9, "rwm"), // tty, zero, urandom
        Allow("c", 136, null, "rwm"), Allow("c", 5, 2, "rwm"),                     // /dev/pts/*, /dev/ptmx
        Allow("c", 10, 200, "rwm"),                                                // /dev/net/tun
    ];

    public static LinuxResources WithDefaultDevices(LinuxResources resources, Spec spec)
    {
        var devices = new List<LinuxDeviceCgroup>(resources.Devices ?? []);
        foreach (var d in spec.Linux?.Devices ?? [])
        {
            // FIFOs are not subject to the device controller; "u" (unbuffered) is a character device.
            if (d.Type == "p") continue;
            devices.Add(Allow(d.Type == "b" ? "b" : "c", d.Major, d.Minor, "rwm"));
        }
        devices.AddRange(DefaultAllowedDevices());
        var plan = ResourceGroups.Copy(resources);
        plan.Devices = devices;
        return plan;
    }
}
