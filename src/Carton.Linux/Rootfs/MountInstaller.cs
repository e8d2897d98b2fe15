using Carton.Linux.Interop;
using Carton.Oci;
using static Carton.Oci.MountConstants;

namespace Carton.Linux.Rootfs;

/// <summary>
/// Installs the entries of config.json "mounts" (config.md "Mounts") under a container root, by fd: every target
/// is resolved inside the root by <see cref="SecurePath"/> and mounted through /proc/self/fd/N, so a symlink
/// planted in the rootfs cannot redirect a mount to the host. Runs in the container's mount namespace, before
/// pivot_root, while the host's /proc is still the one mounted at /proc.
/// </summary>
public sealed class MountInstaller
{
    private readonly int _rootFd;
    private readonly string _bundleDir;

    /// <summary>Host cgroup directories of the container, per hierarchy mount point name (used for "cgroup" mounts
    /// when the container has no cgroup namespace of its own).</summary>
    public Func<IReadOnlyList<(string Name, string HostPath, bool Unified, string Options)>>? CgroupDirs { get; init; }
    public bool NewCgroupNamespace { get; init; }

    /// <summary>True when the container has a user namespace (some filesystems may then not be mounted anew).</summary>
    public bool InUserNamespace { get; init; }

    /// <summary>linux.mountLabel when SELinux applies it (null otherwise): added as context="..." to the data of the
    /// file systems that take it (<see cref="Security.LsmAttributes.MountData"/>).</summary>
    public string? MountLabel { get; init; }

    private static bool BindHostInstead(string? type, int target, ulong flags, string what)
    {
        string? host = type switch { "sysfs" => "/sys", "mqueue" => "/dev/mqueue", _ => null };
        if (host is null) return false;
        if (!Directory.Exists(host))
            throw new SyscallException($"{what}: mount {type}: the kernel refuses a new {type} in a user namespace without {(type == "sysfs" ? "a network" : "an IPC")} namespace of the container's own, and the host has no {host} to bind instead", Errno.EPERM);
        if (Libc.mount(host, SecurePath.ProcFd(target), null, MS_BIND | MS_REC, null) < 0)
            throw SyscallException.Last($"{what}: bind host {host} (the kernel refused a new {type} in this user namespace)");
        return true;
    }

    public MountInstaller(int rootFd, string bundleDir)
    {
        _rootFd = rootFd;
        _bundleDir = bundleDir;
    }

    public void Install(Mount m, int index)
    {
        var what = $"mounts[{index}] ({m.Destination})";
        var opts = MountOptionParser.Parse(m.Options ?? []);
        bool bind = opts.Bind || m.Type == "bind";
        var dest = m.Destination ?? throw new InvalidOperationException($"{what}: destination missing");

        // /proc and /sys must be real directories in the rootfs: a symlink there was CVE-2019-16884/19921's route.
        if ((m.Type is "proc" or "sysfs") && SecurePath.IsSymlink(_rootFd, dest))
            throw new InvalidOperationException($"{what}: mount destination {dest} is a symlink, refusing to mount {m.Type} on it");

        if (m.Type == "cgroup" || m.Type == "cgroup2")
        {
            InstallCgroup(m, opts, what);
            return;
        }

        if (bind)
        {
            var source = m.Source ?? throw new InvalidOperationException($"{what}: source missing for a bind mount");
            if (!source.StartsWith('/')) source = Path.Combine(_bundleDir, source);
            var st = FileType.OfPath(source) ?? throw new SyscallException($"{what}: bind source {source}", Errno.ENOENT);
            bool isDir = (st.Mode & Libc.S_IFMT) == Libc.S_IFDIR;
            int target = SecurePath.OpenOrCreate(_rootFd, dest, lastIsFile: !isDir, what);
            try
            {
                var path = SecurePath.ProcFd(target);
                ulong flags = MS_BIND | (opts.Recursive ? MS_REC : 0);
                if (Libc.mount(source, path, null, flags, null) < 0)
                    throw SyscallException.Last($"{what}: bind mount {source} at {dest}");
                // Bind mounts ignore other flags on the first call: apply them with a remount of the new mount.
                ulong extra = opts.Flags & ~(MS_BIND | MS_REC | PropagationMask | MS_REMOUNT);
                if (extra != 0)
                {
                    int newFd = Reopen(dest, what);
                    try
                    {
                        if (Libc.mount(null, SecurePath.ProcFd(newFd), null, MS_REMOUNT | MS_BIND | extra | LockedFlags(source), null) < 0)
                            throw SyscallException.Last($"{what}: remount {dest} with options {string.Join(',', m.Options ?? [])}");
                    }
                    finally { Libc.close(newFd); }
                }
            }
            finally { Libc.close(target); }
        }
        else
        {
            int target = SecurePath.OpenOrCreate(_rootFd, dest, lastIsFile: false, what);
            int copyFrom = -1;
            try
            {
                if (opts.TmpCopyUp && m.Type == "tmpfs")
                    copyFrom = Libc.OpenAt2(target, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
                ulong flags = opts.Flags & ~(PropagationMask | MS_BIND | MS_REC);
                // A read-only tmpfs is made read-only at the mount, not the superblock (as runc does), so that
                // tmpcopyup can fill it first and the filesystem itself stays writable to a later bind.
                bool roLater = m.Type == "tmpfs" && (flags & MS_RDONLY) != 0;
                if (roLater) flags &= ~MS_RDONLY;
                var data = Security.LsmAttributes.MountData(m.Type, bind: false, opts.Data.Length == 0 ? null : opts.Data, MountLabel);
                if (Libc.mount(m.Source ?? m.Type ?? "none", SecurePath.ProcFd(target), m.Type, flags, data) < 0)
                {
                    int err = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    // In a user namespace the kernel refuses sysfs without a network namespace of the container's
                    // own, and mqueue without an IPC one; runc then binds the host's instead, and so does carton.
                    if (err != Errno.EPERM || !InUserNamespace || !BindHostInstead(m.Type, target, flags, what))
                        throw new SyscallException($"{what}: mount {m.Type} at {dest}", err);
                }
                if (copyFrom >= 0)
                {
                    int newFd = Reopen(dest, what);
                    try { CopyTree(SecurePath.ProcFd(copyFrom), SecurePath.ProcFd(newFd)); }
                    finally { Libc.close(newFd); }
                }
                if (roLater && RemountNew(dest, MS_REMOUNT | MS_BIND | MS_RDONLY | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)), what) < 0)
                    throw SyscallException.Last($"{what}: remount {dest} read-only");
            }
            finally
            {
                Libc.close(target);
                if (copyFrom >= 0) Libc.close(copyFrom);
            }
        }
        ApplyPropagationAndAttrs(dest, opts, what);
    }

    private void ApplyPropagationAndAttrs(string dest, ParsedMountOptions opts, string what)
    {
        if (opts.PropagationFlags.Count == 0 && opts.RecursiveAttrSet == 0 && opts.RecursiveAttrClear == 0) return;
        int fd = Reopen(dest, what);
        try
        {
            foreach (var p in opts.PropagationFlags)
                if (Libc.mount(null, SecurePath.ProcFd(fd), null, p, null) < 0)
                    throw SyscallException.Last($"{what}: change propagation of {dest}");
            if (opts.RecursiveAttrSet != 0 || opts.RecursiveAttrClear != 0)
            {
                var attr = new Libc.MountAttr { AttrSet = opts.RecursiveAttrSet, AttrClr = opts.RecursiveAttrClear };
                if ((opts.RecursiveAttrSet & MOUNT_ATTR__ATIME) != 0 || (opts.RecursiveAttrClear & MOUNT_ATTR__ATIME) != 0)
                    attr.AttrClr |= MOUNT_ATTR__ATIME;
                if (Libc.MountSetattr(fd, "", Libc.AT_EMPTY_PATH | Libc.AT_RECURSIVE, attr) < 0)
                    throw SyscallException.Last($"{what}: set recursive mount attributes on {dest}");
            }
        }
        finally { Libc.close(fd); }
    }

    private void InstallCgroup(Mount m, ParsedMountOptions opts, string what)
    {
        var dest = m.Destination!;
        ulong flags = opts.Flags & ~(PropagationMask | MS_BIND | MS_REC);
        var dirs = CgroupDirs?.Invoke() ?? [];
        bool unifiedOnly = dirs.Count > 0 && dirs.All(d => d.Unified);
        int target = SecurePath.OpenOrCreate(_rootFd, dest, lastIsFile: false, what);
        try
        {
            if (unifiedOnly || m.Type == "cgroup2")
            {
                // cgroup v2: one filesystem. Inside a cgroup namespace the kernel roots it at the container's cgroup.
                if (NewCgroupNamespace)
                {
                    if (Libc.mount("cgroup2", SecurePath.ProcFd(target), "cgroup2", flags, null) < 0)
                        throw SyscallException.Last($"{what}: mount cgroup2 at {dest}");
                }
                else
                {
                    var host = dirs.FirstOrDefault(d => d.Unified).HostPath ?? "/sys/fs/cgroup";
                    if (Libc.mount(host, SecurePath.ProcFd(target), null, MS_BIND | MS_REC, null) < 0 ||
                        RemountNew(dest, MS_REMOUNT | MS_BIND | flags, what) < 0)
                        throw SyscallException.Last($"{what}: bind cgroup2 {host} at {dest}");
                }
                return;
            }
            // cgroup v1 (and hybrid): a tmpfs holding one directory per hierarchy, as runc lays it out.
            if (Libc.mount("tmpfs", SecurePath.ProcFd(target), "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
                throw SyscallException.Last($"{what}: mount tmpfs at {dest}");
            foreach (var (name, hostPath, unified, controllers) in dirs)
            {
                var sub = dest.TrimEnd('/') + "/" + name;
                int subFd = SecurePath.OpenOrCreate(_rootFd, sub, lastIsFile: false, what);
                try
                {
                    int rc;
                    if (NewCgroupNamespace)
                        rc = unified
                            ? Libc.mount("cgroup2", SecurePath.ProcFd(subFd), "cgroup2", flags & ~MS_RDONLY, null)
                            : Libc.mount("cgroup", SecurePath.ProcFd(subFd), "cgroup", flags & ~MS_RDONLY, controllers.StartsWith("name=", StringComparison.Ordinal) ? "none," + controllers : controllers);
                    else
                    {
                        rc = Libc.mount(hostPath, SecurePath.ProcFd(subFd), null, MS_BIND, null);
                        if (rc == 0) rc = RemountNew(sub, MS_REMOUNT | MS_BIND | (flags & ~MS_RDONLY), what);
                    }
                    if (rc < 0) throw SyscallException.Last($"{what}: mount cgroup {name} at {sub}");
                }
                finally { Libc.close(subFd); }
            }
            if ((flags & MS_RDONLY) != 0)
            {
                // Read-only last and recursively: a v1 hierarchy shares its superblock with the host's mount, so
                // asking for "ro" at mount time would change (and be refused for) the host's view.
                int again = Reopen(dest, what);
                try
                {
                    var attr = new Libc.MountAttr { AttrSet = MOUNT_ATTR_RDONLY };
                    if (Libc.MountSetattr(again, "", Libc.AT_EMPTY_PATH | Libc.AT_RECURSIVE, attr) < 0)
                        throw SyscallException.Last($"{what}: make {dest} read-only");
                }
                finally { Libc.close(again); }
            }
        }
        finally { Libc.close(target); }
    }

    /// <summary>Remounts the mount just made at <paramref name="dest"/> (reached through a fresh fd).</summary>
    private int RemountNew(string dest, ulong flags, string what)
    {
        int fd = Reopen(dest, what);
        try { return Libc.mount(null, SecurePath.ProcFd(fd), null, flags, null); }
        finally { Libc.close(fd); }
    }

    /// <summary>Opens the destination again: after a mount the old fd still refers to the directory underneath.</summary>
    private int Reopen(string dest, string what)
    {
        int fd = SecurePath.TryOpen(_rootFd, dest);
        if (fd < 0) throw new SyscallException($"{what}: reopen {dest}", -fd);
        return fd;
    }

    /// <summary>Flags the kernel refuses to clear on a bind remount of a mount that has them (nosuid, nodev, noexec,
    /// and atime settings are locked in a user namespace); keeping them makes the remount succeed everywhere.</summary>
    private static ulong LockedFlags(string source)
    {
        unsafe
        {
            var layout = Arch.Layouts;
            var st = new byte[layout.StatvfsSize];
            fixed (byte* p = st)
            {
                if (Libc.statvfs(source, p) != 0) return 0;
                ulong f = BitConverter.ToUInt64(st, layout.StatvfsFlag); // f_flag in struct statvfs
                ulong result = 0;
                if ((f & 2) != 0) result |= MS_NOSUID;
                if ((f & 4) != 0) result |= MS_NODEV;
                if ((f & 8) != 0) result |= MS_NOEXEC;
                return result;
            }
        }
    }


    private static void CopyTree(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo d) { Directory.CreateDirectory(target); CopyTree(d.FullName, target); }
            else File.Copy(entry.FullName, target);
        }
    }
}
