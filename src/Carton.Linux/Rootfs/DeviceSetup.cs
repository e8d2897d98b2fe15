using Carton.Linux.Interop;
using Carton.Oci;

namespace Carton.Linux.Rootfs;

/// <summary>
/// /dev inside the container (config-linux.md "Default Devices" and "Devices"): the six default device nodes,
/// config.json linux.devices, the /dev/fd and std* symlinks, and /dev/ptmx pointing at the container's devpts.
/// </summary>
public static class DeviceSetup
{
    /// <summary>The default device nodes (config-linux.md "Default Devices"): the setup plan creates the same.</summary>
    public static readonly (string Path, uint Major, uint Minor)[] DefaultNodes =
    [
        ("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7),
        ("/dev/random", 1, 8), ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0),
    ];

    public static void CreateDefaults(int rootFd, bool bindFromHost)
    {
        foreach (var (path, major, minor) in DefaultNodes)
            CreateNode(rootFd, path, 'c', major, minor, 0x1B6 /* 0666 */, 0, 0, bindFromHost, $"default device {path}");
    }

    public static void CreateConfigured(int rootFd, IReadOnlyList<LinuxDevice> devices, bool bindFromHost)
    {
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            char type = string.IsNullOrEmpty(d.Type) ? 'c' : d.Type[0];
            CreateNode(rootFd, d.Path ?? "", type, (uint)d.Major, (uint)d.Minor, d.FileMode ?? 0x1B6, d.Uid ?? 0, d.Gid ?? 0,
                bindFromHost, $"linux.devices[{i}] ({d.Path})");
        }
    }

    private static void CreateNode(int rootFd, string path, char type, uint major, uint minor, uint mode, uint uid, uint gid, bool bindFromHost, string what)
    {
        int slash = path.LastIndexOf('/');
        string dir = slash <= 0 ? "/" : path[..slash];
        string name = path[(slash + 1)..];
        int dirFd = SecurePath.OpenOrCreate(rootFd, dir, lastIsFile: false, what);
        try
        {
            // A device node the image shipped (or a symlink it planted) is replaced, never written through.
            Libc.unlinkat(dirFd, name, 0);
            if (bindFromHost)
            {
                // In a user namespace mknod is not allowed: bind the host's node, as runc does.
                int target = SecurePath.OpenOrCreate(rootFd, path, lastIsFile: true, what);
                try
                {
                    if (Libc.mount(path, SecurePath.ProcFd(target), null, MountConstants.MS_BIND, null) < 0)
                        throw SyscallException.Last($"{what}: bind mount host {path}");
                }
                finally { Libc.close(target); }
                return;
            }
            int fileType = type switch { 'b' => Libc.S_IFBLK, 'p' => Libc.S_IFIFO, _ => Libc.S_IFCHR };
            uint old = Libc.umask(0);
            int rc = Libc.mknodat(dirFd, name, (uint)(fileType | (int)(mode & 0xFFF)), type == 'p' ? 0 : FileType.MakeDev(major, minor));
            int err = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            Libc.umask(old);
            if (rc < 0) throw new SyscallException($"{what}: mknod {path}", err);
            if (Libc.fchownat(dirFd, name, uid, gid, Libc.AT_SYMLINK_NOFOLLOW) < 0)
                throw SyscallException.Last($"{what}: chown {path}");
        }
        finally { Libc.close(dirFd); }
    }

    /// <summary>/dev/fd, /dev/std{in,out,err}, /dev/core and /dev/ptmx -> pts/ptmx, as runc makes them.</summary>
    public static void CreateSymlinks(int rootFd, bool hasDevPts)
    {
        var links = new List<(string Target, string Link)>
        {
            ("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"), ("/proc/self/fd/2", "stderr"),
        };
        if (File.Exists("/proc/kcore")) links.Add(("/proc/kcore", "core"));
        if (hasDevPts) links.Add(("pts/ptmx", "ptmx"));
        int dev = SecurePath.OpenOrCreate(rootFd, "/dev", lastIsFile: false, "/dev");
        try
        {
            foreach (var (target, link) in links)
            {
                if (link == "ptmx") Libc.unlinkat(dev, link, 0);
                if (Libc.symlinkat(target, dev, link) < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.EEXIST)
                    throw SyscallException.Last($"symlink /dev/{link} -> {target}");
            }
        }
        finally { Libc.close(dev); }
    }
}
