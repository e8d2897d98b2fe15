using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>
/// Directory entries made, linked, renamed and removed relative to a directory fd, never by a host path, and never
/// following a symlink in the last component: what a layer unpack and a snapshot store need (Carton.Images.Linux).
/// Every call returns 0 or the errno, so the caller can name the layer entry it was writing; the read and remove
/// helpers that walk a tree throw "operation: strerror (ENAME)".
/// </summary>
public static unsafe class FileTree
{
    private static int Err(int rc) => rc == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>openat(2) of <paramref name="name"/> under <paramref name="dirFd"/> with O_CLOEXEC added; the fd or -errno.
    /// Symlinks in <paramref name="name"/> are followed unless the flags say O_NOFOLLOW (last component only).</summary>
    public static int TryOpenAt(int dirFd, string name, OpenFlags flags, int mode = 0)
    {
        int fd = Libc.openat(dirFd, name, (int)flags | Libc.O_CLOEXEC, (uint)mode);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>mkdirat(2); the mode is filtered by the umask, so callers set the final mode with fchmod.</summary>
    public static int TryMakeDirectory(int dirFd, string name, int mode) => Err(Libc.mkdirat(dirFd, name, (uint)mode));

    /// <summary>mknodat(2) of a device, FIFO or socket: <paramref name="typeAndMode"/> holds the S_IFMT type.</summary>
    public static int TryMakeNode(int dirFd, string name, uint typeAndMode, uint major, uint minor) =>
        Err(Libc.mknodat(dirFd, name, typeAndMode, Rootfs.FileType.MakeDev(major, minor)));

    /// <summary>symlinkat(2): <paramref name="target"/> is stored as it is, never resolved here.</summary>
    public static int TryMakeSymlink(string target, int dirFd, string name) => Err(Libc.symlinkat(target, dirFd, name));

    /// <summary>
    /// A new name <paramref name="name"/> under <paramref name="dirFd"/> for the object behind <paramref name="targetFd"/>
    /// (an O_PATH fd opened without following its last component, so a symlink gets a second name itself). Done with
    /// linkat on the fd's /proc/self/fd magic link: linkat(AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH in the
    /// initial user namespace, which a rootless unpack lacks; the magic link works for any caller with a procfs.
    /// </summary>
    public static int TryHardlink(int targetFd, int dirFd, string name) =>
        Err(Libc.linkat(Libc.AT_FDCWD, Rootfs.SecurePath.ProcFd(targetFd), dirFd, name, Libc.AT_SYMLINK_FOLLOW));

    /// <summary>linkat(2) by path relative to <paramref name="oldDirFd"/>, following symlinks on the way (not the last
    /// component): what a naive tar extractor does. Kept for the unpack defence's mutation switch only.</summary>
    public static int TryHardlinkByPath(int oldDirFd, string oldPath, int dirFd, string name) =>
        Err(Libc.linkat(oldDirFd, oldPath, dirFd, name, 0));

    /// <summary>unlinkat(2) of an entry (AT_REMOVEDIR for an empty directory).</summary>
    public static int TryRemove(int dirFd, string name, bool directory) =>
        Err(Libc.unlinkat(dirFd, name, directory ? Libc.AT_REMOVEDIR : 0));

    /// <summary>renameat2(2); with <paramref name="noReplace"/> an existing <paramref name="newName"/> is an EEXIST
    /// error instead of being replaced (RENAME_NOREPLACE: an atomic "commit unless someone else did").</summary>
    public static int TryRename(int oldDirFd, string oldName, int newDirFd, string newName, bool noReplace) =>
        Err(Libc.renameat2(oldDirFd, oldName, newDirFd, newName, noReplace ? Libc.RENAME_NOREPLACE : 0));

    /// <summary>
    /// Removes <paramref name="name"/> under <paramref name="dirFd"/> and, when it is a directory, everything below it:
    /// walked by fd (getdents64, unlinkat), symlinks removed and never followed, so a tree that holds a link to
    /// "/" deletes the link only. Returns 0, ENOENT when there was nothing, or throws on another failure.
    /// </summary>
    public static int RemoveAll(int dirFd, string name, string what)
    {
        if (!FileStatus.TryOfAt(dirFd, name, followSymlinks: false, out var st))
        {
            int e = Marshal.GetLastPInvokeError();
            if (e == Errno.ENOENT) return Errno.ENOENT;
            throw new SyscallException($"{what}: stat {name}", e);
        }
        if (st.IsDirectory)
        {
            int sub = Libc.openat(dirFd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
            if (sub < 0)
            {
                // gone since the stat: another remover of the same tree got there first (below)
                int e = Marshal.GetLastPInvokeError();
                if (e == Errno.ENOENT) return 0;
                throw new SyscallException($"{what}: open {name}", e);
            }
            try { RemoveContents(sub, what); }
            finally { Libc.close(sub); }
        }
        int rc = Libc.unlinkat(dirFd, name, st.IsDirectory ? Libc.AT_REMOVEDIR : 0);
        if (rc < 0 && Marshal.GetLastPInvokeError() is var re && re != Errno.ENOENT)
            throw new SyscallException($"{what}: remove {name}", re);
        return 0;
    }

    /// <summary>Removes everything below the directory <paramref name="dirFd"/>, which stays.</summary>
    /// <remarks>Two removers may walk one tree at once (the snapshot store's sweep of unfinished removals at its
    /// construction, in a daemon that constructs one per operation, meets a removal still under way): what the other
    /// removed is gone, which is what both want. getdents64 on a directory the other has already removed fails with
    /// ENOENT; an entry the other removed first is an ENOENT of the stat, open or unlink; none of them is an error.
    /// (Seen as `docker run --rm` hanging under 4 concurrent runs: the AutoRemove's snapshot removal failed.)</remarks>
    public static void RemoveContents(int dirFd, string what)
    {
        List<string> names;
        try { names = ReadNames(dirFd, what); }
        catch (SyscallException e) when (e.Errno == Errno.ENOENT) { return; }
        foreach (var child in names) RemoveAll(dirFd, child, what);
    }

    /// <summary>
    /// The names in the directory <paramref name="dirFd"/> (not "." and ".."), read with getdents64 from a fresh open
    /// of "." so the caller's fd offset is untouched. Names are decoded as UTF-8.
    /// </summary>
    public static List<string> ReadNames(int dirFd, string what)
    {
        int fd = Libc.openat(dirFd, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw SyscallException.Last($"{what}: open directory");
        var names = new List<string>();
        const int Size = 32768;
        var buf = (byte*)NativeMemory.Alloc(Size);
        try
        {
            while (true)
            {
                int n = Libc.Getdents64(fd, buf, Size);
                if (n < 0) throw SyscallException.Last($"{what}: read directory");
                if (n == 0) break;
                for (int off = 0; off < n;)
                {
                    // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
                    ushort reclen = *(ushort*)(buf + off + 16);
                    var raw = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf + off + 19);
                    if (!(raw.Length == 1 && raw[0] == (byte)'.') && !(raw.Length == 2 && raw[0] == (byte)'.' && raw[1] == (byte)'.'))
                        names.Add(System.Text.Encoding.UTF8.GetString(raw));
                    off += reclen;
                }
            }
        }
        finally
        {
            NativeMemory.Free(buf);
            Libc.close(fd);
        }
        return names;
    }

    /// <summary>The names in the directory at <paramref name="directory"/> (a host path); empty when it does not exist.</summary>
    public static List<string> ReadNamesOf(string directory)
    {
        int fd = Libc.open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            if (Marshal.GetLastPInvokeError() == Errno.ENOENT) return [];
            throw SyscallException.Last($"open {directory}");
        }
        try { return ReadNames(fd, directory); }
        finally { Libc.close(fd); }
    }

    /// <summary>readlinkat(2) of <paramref name="name"/> under <paramref name="dirFd"/>; null when it is not a symlink.</summary>
    public static string? ReadLink(int dirFd, string name)
    {
        const int Size = 4096;
        var buf = stackalloc byte[Size];
        nint n = Libc.readlinkat(dirFd, name, buf, Size);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }
}
