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

/// <summary>Writes to the LSM attribute files of the calling thread, and the mount option SELinux reads.</summary>
public static class LsmAttributes
{
    private const long ProcSuperMagic = 0x9fa0;

    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="path"/> (a /proc/thread-self/attr/... file): opened with
    /// O_NOFOLLOW and written only once fstatfs says the file is on procfs (design.md §3 item 5: a procfs write goes
    /// only to procfs). Kept alone so that it can move behind the shared verified procfs handle.
    /// </summary>
    public static unsafe void WriteProcAttr(string path, string value, string what)
    {
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw SyscallException.Last($"{what}: open {path}");
        try
        {
            var layout = Arch.Layouts;
            var st = new byte[Math.Max(layout.StatfsSize, 128)];
            fixed (byte* p = st)
            {
                if (Libc.fstatfs(fd, p) < 0) throw SyscallException.Last($"{what}: fstatfs {path}");
            }
            long type = BitConverter.ToInt64(st, layout.StatfsType);
            if (type != ProcSuperMagic)
                throw new SyscallException($"{what}: {path} is not on procfs (f_type 0x{type:x}), refusing to write it", Errno.EXDEV);
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            fixed (byte* b = bytes)
            {
                if (Libc.write(fd, b, (nuint)bytes.Length) < 0) throw SyscallException.Last($"{what}: write \"{value}\" to {path}");
            }
        }
        finally { Libc.close(fd); }
    }

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
