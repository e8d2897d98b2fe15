using System.Globalization;
using Carton.Linux.Cgroups.Devices;
using Carton.Oci;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// devices: linux.resources.devices (config-linux.md "Allowed Device list"). Rules are evaluated in order, later ones
/// overriding earlier ones, as the kernel's list does. The default devices are the caller's to include.
/// </summary>
public sealed class DevicesController : CgroupController
{
    public override string Name => "devices";

    public override IReadOnlyList<string> Groups { get; } = ["devices"];

    /// <summary>Deny everything, then replay the rules in order through devices.allow / devices.deny.</summary>
    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r)
    {
        if (r.Devices is not { } rules) return;
        const string field = "linux.resources.devices";
        var dir = ctx.Require("devices", field);
        ctx.Writer.Write(field, dir, "devices.deny", "a");
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is not { } rule) continue;
            ctx.Writer.Write($"{field}[{i}]", dir, rule.Allow ? "devices.allow" : "devices.deny", DeviceRule(rule));
        }
    }

    /// <summary>
    /// cgroup v2 has no devices files; access is enforced by an eBPF program attached to the cgroup
    /// (BPF_CGROUP_DEVICE, <see cref="CgroupDeviceFilter"/>).
    /// </summary>
    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r)
    {
        if (r.Devices is { } devices) CgroupDeviceFilter.Attach(ctx.Dir, devices);
    }

    /// <summary>
    /// A v1 devices.allow/devices.deny line: "type major:minor access". A missing or "a" type is "a" (all devices),
    /// a null major or minor is the "*" wildcard, and a missing access means "rwm" (config-linux.md "Allowed Device list").
    /// </summary>
    public static string DeviceRule(LinuxDeviceCgroup d)
    {
        var type = string.IsNullOrEmpty(d.Type) ? "a" : d.Type;
        var major = d.Major is { } ma ? ma.ToString(CultureInfo.InvariantCulture) : "*";
        var minor = d.Minor is { } mi ? mi.ToString(CultureInfo.InvariantCulture) : "*";
        var access = string.IsNullOrEmpty(d.Access) ? "rwm" : d.Access;
        return $"{type} {major}:{minor} {access}";
    }
}
