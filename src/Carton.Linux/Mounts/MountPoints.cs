using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Mounts;

/// <summary>
/// mount(2) and umount2(2) by purpose: a file system, a bind mount, a propagation change, an unmount. Flags are the
/// MS_* values of <see cref="Carton.Oci.MountConstants"/>. Errors read "operation: strerror (ENAME)".
/// </summary>
public static class MountPoints
{
    /// <summary>Mounts a file system of <paramref name="type"/> at <paramref name="target"/>; throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void FileSystem(string source, string target, string type, ulong flags, string? data, string operation)
    {
        if (Libc.mount(source, target, type, flags, data) < 0) throw SyscallException.Last(operation);
    }

    /// <summary>Bind-mounts <paramref name="source"/> on <paramref name="target"/> (with MS_REC when
    /// <paramref name="recursive"/>); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void Bind(string source, string target, bool recursive, string operation)
    {
        if (Libc.mount(source, target, null, Oci.MountConstants.MS_BIND | (recursive ? Oci.MountConstants.MS_REC : 0), null) < 0) throw SyscallException.Last(operation);
    }

    /// <summary>Sets the propagation of the mount at <paramref name="target"/> (MS_SHARED, MS_SLAVE, MS_PRIVATE or
    /// MS_UNBINDABLE, optionally with MS_REC); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void SetPropagation(string target, ulong propagation, string operation)
    {
        if (Libc.mount(null, target, null, propagation, null) < 0) throw SyscallException.Last(operation);
    }

    /// <summary>Sets the propagation (not recursive) of the mount that holds <paramref name="path"/>: the mount at
    /// <paramref name="path"/> or, when it is not a mount point (EINVAL), the nearest one above it.</summary>
    public static void SetPropagationOfEnclosingMount(string path, ulong propagation, string operation)
    {
        var p = Path.GetFullPath(path);
        while (true)
        {
            if (Libc.mount(null, p, null, propagation, null) == 0) return;
            int err = Marshal.GetLastPInvokeError();
            if (err != Errno.EINVAL || p == "/") throw new SyscallException($"{operation}: {p}", err);
            p = Path.GetDirectoryName(p) ?? "/";
        }
    }

    /// <summary>Unmounts <paramref name="target"/> (lazily when <paramref name="detach"/>: MNT_DETACH); returns 0 or the errno.</summary>
    public static int TryUnmount(string target, bool detach = false) =>
        Libc.umount2(target, detach ? Libc.MNT_DETACH : 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
