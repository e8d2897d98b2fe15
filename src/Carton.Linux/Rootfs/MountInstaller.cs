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
            int target = OpenTarget(dest, lastIsFile: !isDir, what);
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
            int target = OpenTarget(dest, lastIsFile: false, what);
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
                    try
                    {
                        if (Carton.Linux.Security.Defences.IsDisabled("tmpcopyup-by-fd")) CopyTreeByPath(SecurePath.ProcFd(copyFrom), SecurePath.ProcFd(newFd));
                        else CopyTree(copyFrom, newFd, dest, what, 0);
                    }
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
        int target = OpenTarget(dest, lastIsFile: false, what);
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

    /// <summary>Files under /proc that may be mounted over (what lxcfs emulates), as runc allows them.</summary>
    public static readonly string[] ProcMountsAllowed =
    [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime", "/proc/loadavg",
        "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ];

    /// <summary>
    /// Opens (creating what is missing) the mount target inside the root, and refuses it when it lies on a procfs
    /// (fstatfs of the opened target, so a symlink or ".." cannot hide it): a tmpfs over /proc/sys, a bind over
    /// /proc/self/attr or /proc/1/fd would redirect what carton and the kernel later read or write there
    /// (design.md §3 item 5, the CVE-2025-52881 class). Only the files lxcfs emulates are allowed, as in runc.
    /// </summary>
    private int OpenTarget(string dest, bool lastIsFile, string what)
    {
        int fd = SecurePath.OpenOrCreate(_rootFd, dest, lastIsFile, what);
        if (!Carton.Linux.Security.Defences.IsDisabled("proc-mount-dest-check") && IO.ProcFs.IsOnProcFs(fd)
            && !ProcMountsAllowed.Contains(SecurePath.Lexical(dest), StringComparer.Ordinal))
        {
            Libc.close(fd);
            throw new SyscallException($"{what}: mount destination {dest} is inside /proc (on a procfs), refusing to mount over it; only {string.Join(", ", ProcMountsAllowed)} may be", Errno.EPERM);
        }
        return fd;
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
    public static ulong LockedFlags(string source)
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


    /// <summary>
    /// tmpcopyup: copies the image's directory under a tmpfs mount into it, by fd only. Entries are looked at with
    /// fstatat(AT_SYMLINK_NOFOLLOW) and opened with openat(O_NOFOLLOW|O_NONBLOCK) from their parent's fd, and only
    /// directories, regular files (checked again by fstat on the open fd) and symlinks (recreated, never followed)
    /// are copied. FIFOs, sockets and device nodes are skipped without being opened: as host root, opening an image's
    /// FIFO would hang create and reading its device node would copy a host device into the container.
    /// </summary>
    private static unsafe void CopyTree(int fromDir, int toDir, string path, string what, int depth)
    {
        if (depth > 256) throw new SyscallException($"{what}: tmpcopyup {path}: too deep", Errno.ELOOP);
        foreach (var name in ReadDirectory(fromDir, $"{what}: tmpcopyup: read {path}"))
        {
            var sub = path.TrimEnd('/') + "/" + name;
            if (!IO.FileStatus.TryOfAt(fromDir, name, followSymlinks: false, out var st)) continue; // gone meanwhile
            if (st.IsSymlink)
            {
                var target = ReadLink(fromDir, name) ?? throw SyscallException.Last($"{what}: tmpcopyup: readlink {sub}");
                if (Libc.symlinkat(target, toDir, name) < 0) throw SyscallException.Last($"{what}: tmpcopyup: symlink {sub}");
                _ = Libc.fchownat(toDir, name, st.Uid, st.Gid, Libc.AT_SYMLINK_NOFOLLOW);
            }
            else if (st.IsDirectory)
            {
                if (Libc.mkdirat(toDir, name, 0x1C0 /* 0700 until copied */) < 0) throw SyscallException.Last($"{what}: tmpcopyup: mkdir {sub}");
                int src = Libc.openat(fromDir, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                if (src < 0) throw SyscallException.Last($"{what}: tmpcopyup: open {sub}");
                int dst = -1;
                try
                {
                    dst = Libc.openat(toDir, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                    if (dst < 0) throw SyscallException.Last($"{what}: tmpcopyup: open the copy of {sub}");
                    CopyTree(src, dst, sub, what, depth + 1);
                    CopyOwnerAndMode(dst, st);
                }
                finally
                {
                    Libc.close(src);
                    if (dst >= 0) Libc.close(dst);
                }
            }
            else if (st.IsRegularFile)
            {
                int src = Libc.openat(fromDir, name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
                if (src < 0) throw SyscallException.Last($"{what}: tmpcopyup: open {sub}");
                int dst = -1;
                try
                {
                    if (!IO.FileStatus.TryOf(src, out var opened) || !opened.IsRegularFile || opened.Ino != st.Ino || opened.Dev != st.Dev)
                        continue; // replaced by something else since the fstatat: not copied
                    dst = Libc.openat(toDir, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180 /* 0600 until copied */);
                    if (dst < 0) throw SyscallException.Last($"{what}: tmpcopyup: create {sub}");
                    while (true)
                    {
                        nint n = Libc.sendfile(dst, src, null, 1 << 30);
                        if (n == 0) break;
                        if (n < 0)
                        {
                            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                            throw SyscallException.Last($"{what}: tmpcopyup: copy {sub}");
                        }
                    }
                    CopyOwnerAndMode(dst, st);
                }
                finally
                {
                    Libc.close(src);
                    if (dst >= 0) Libc.close(dst);
                }
            }
            // FIFOs, sockets, character and block devices: skipped, never opened.
        }
    }

    /// <summary>The copy gets the original's owner (best effort: an id unmapped in a user namespace stays) and mode.</summary>
    private static void CopyOwnerAndMode(int fd, IO.FileStatus st)
    {
        _ = Libc.fchown(fd, st.Uid, st.Gid);
        _ = Libc.fchmod(fd, st.Mode & 0xFFF);
    }

    private static unsafe List<string> ReadDirectory(int dirFd, string what)
    {
        // getdents64 moves the fd's offset: read from a fresh open of "." so the caller's fd is untouched.
        int fd = Libc.openat(dirFd, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw SyscallException.Last(what);
        var names = new List<string>();
        try
        {
            var buf = stackalloc byte[8192];
            while (true)
            {
                int n = Libc.Getdents64(fd, buf, 8192);
                if (n < 0) throw SyscallException.Last(what);
                if (n == 0) break;
                for (int off = 0; off < n;)
                {
                    ushort reclen = *(ushort*)(buf + off + 16);
                    var name = System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf + off + 19));
                    if (name != "." && name != "..") names.Add(name);
                    off += reclen;
                }
            }
        }
        finally { Libc.close(fd); }
        return names;
    }

    private static unsafe string? ReadLink(int dirFd, string name)
    {
        var buf = stackalloc byte[4096];
        nint n = Libc.readlinkat(dirFd, name, buf, 4096);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }

    /// <summary>tmpcopyup as carton did it before (the "tmpcopyup-by-fd" defence switched off): by path, following
    /// whatever the image placed there, opening FIFOs and devices.</summary>
    private static void CopyTreeByPath(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo d) { Directory.CreateDirectory(target); CopyTreeByPath(d.FullName, target); }
            else File.Copy(entry.FullName, target);
        }
    }
}
