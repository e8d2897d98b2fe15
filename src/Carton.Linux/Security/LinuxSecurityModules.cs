using Carton.Linux.Interop;

namespace Carton.Linux.Security;

/// <summary>What the host offers of AppArmor and SELinux (probed the way runc's libraries probe).</summary>
/// <param name="AppArmorEnabled">/sys/kernel/security/apparmor exists and /sys/module/apparmor/parameters/enabled says Y.</param>
/// <param name="AppArmorOwnAttrDir">/proc/self/attr/apparmor exists (Linux 5.8+: AppArmor's own attr files; older
/// kernels use the shared /proc/self/attr/exec).</param>
/// <param name="SelinuxEnabled">selinuxfs is mounted (/sys/fs/selinux/enforce exists).</param>
public sealed record LsmHostFacts(bool AppArmorEnabled, bool AppArmorOwnAttrDir, bool SelinuxEnabled)
{
    /// <summary>The facts of this host.</summary>
    public static LsmHostFacts Probe()
    {
        bool apparmor = false;
        try
        {
            apparmor = Directory.Exists("/sys/kernel/security/apparmor") &&
                       File.ReadAllText("/sys/module/apparmor/parameters/enabled").StartsWith('Y');
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new LsmHostFacts(apparmor, Directory.Exists("/proc/self/attr/apparmor"), File.Exists("/sys/fs/selinux/enforce"));
    }
}

/// <summary>The mount option SELinux reads (the attr files are written through the verified procfs handle: LsmPlan.Apply).</summary>
public static class LsmAttributes
{
    /// <summary>
    /// The data of a mount with the SELinux mount label added as <c>context="label"</c>, as runc and crun do, for the
    /// file systems that take it: not bind mounts, proc, sysfs, mqueue or cgroup (runc labels none of these at mount).
    /// Returns <paramref name="data"/> unchanged when there is no label or the type takes none.
    /// </summary>
    public static string? MountData(string? type, bool bind, string? data, string? label)
    {
        if (string.IsNullOrEmpty(label) || bind || type is "proc" or "sysfs" or "mqueue" or "cgroup" or "cgroup2" or "bind") return data;
        var context = $"context=\"{label}\"";
        return string.IsNullOrEmpty(data) ? context : data + "," + context;
    }
}
