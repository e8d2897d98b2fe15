using System.Runtime.InteropServices;

namespace Carton.Linux.Interop;

/// <summary>
/// The libc and raw system calls Carton uses. Thin: each entry is the C prototype, nothing more; callers turn
/// a failure into a <see cref="SyscallException"/> that names the operation and path. Types follow glibc's prototypes
/// (size_t → nuint, ssize_t → nint, off_t → long, mode_t/uid_t/gid_t/id_t/socklen_t → uint, pid_t → int, pointers →
/// pointer types); tests/Carton.Linux.Tests/Interop/LibcSignatureTests.cs holds the table and fails on any drift. Internal to Carton.Linux:
/// every other project calls the kernel through this assembly's public primitives (IO, Processes, Mounts, ...).
/// Syscall numbers and architecture-dependent layouts come from <see cref="Arch"/>.
/// </summary>
internal static unsafe partial class Libc
{
    private const string C = "libc";

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_TRUNC = 0x200,
        O_APPEND = 0x400, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;
    public const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    public const int MNT_DETACH = 2;
    public const int F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, FD_CLOEXEC = 1, F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_EXEC = 0x10;
    public const uint CLOSE_RANGE_CLOEXEC = 4;
    public const int WNOHANG = 1, WUNTRACED = 2, __WALL = 0x40000000;
    public const int S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFIFO = 0x1000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1;
    public const int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8, PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24,
        PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4, PR_SET_CHILD_SUBREAPER = 36;
    public const ulong TIOCSCTTY = 0x540E, TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431, TIOCGPTPEER = 0x5441, TIOCSWINSZ = 0x5414, TIOCGWINSZ = 0x5413;
    public const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow { public ulong Flags; public ulong Mode; public ulong Resolve; }

    [StructLayout(LayoutKind.Sequential)]
    public struct MountAttr { public ulong AttrSet; public ulong AttrClr; public ulong Propagation; public ulong UsernsFd; }

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit { public ulong Cur; public ulong Max; }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapHeader { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapData { public uint Effective; public uint Permitted; public uint Inheritable; }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize { public ushort Rows; public ushort Cols; public ushort XPixel; public ushort YPixel; }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec { public void* Base; public nuint Len; }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name; public uint NameLen; private int _pad0; public IoVec* Iov; public nuint IovLen;
        public void* Control; public nuint ControlLen; public int Flags; private int _pad1;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr { public nuint Len; public int Level; public int Type; }

    [LibraryImport(C, SetLastError = true)] public static partial long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int umount2(string target, int flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int chroot(string path);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int chdir(string path);
    [LibraryImport(C, SetLastError = true)] public static partial int fchdir(int fd);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int open(string path, int flags, uint mode);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int openat(int dirfd, string path, int flags, uint mode);
    [LibraryImport(C, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int fsync(int fd);
    [LibraryImport(C, SetLastError = true)] public static unsafe partial int renameat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int mkdirat(int dirfd, string path, uint mode);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int mknodat(int dirfd, string path, uint mode, ulong dev);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int symlinkat(string target, int dirfd, string linkpath);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int unlinkat(int dirfd, string path, int flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int fchownat(int dirfd, string path, uint uid, uint gid, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int fchown(int fd, uint uid, uint gid);
    [LibraryImport(C, SetLastError = true)] public static partial int fchmod(int fd, uint mode);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int mkfifo(string path, uint mode);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int sethostname(string name, nuint len);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int setdomainname(string name, nuint len);
    [LibraryImport(C, SetLastError = true)] public static partial int prlimit(int pid, int resource, Rlimit* newLimit, Rlimit* oldLimit);
    [LibraryImport(C, SetLastError = true)] public static partial int prctl(int option, ulong a2, ulong a3, ulong a4, ulong a5);
    [LibraryImport(C, SetLastError = true)] public static partial int unshare(int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int setns(int fd, int nstype);
    [LibraryImport(C, SetLastError = true)] public static partial int kill(int pid, int sig);
    /// <summary>sigaction(2) with the glibc struct as bytes (x86_64 and arm64: the handler is its first 8 bytes; 152 in
    /// all); only <see cref="Processes.SignalDisposition"/> uses it, to read a disposition and to set SIG_DFL.</summary>
    [LibraryImport(C, SetLastError = true)] public static unsafe partial int sigaction(int sig, byte* act, byte* oldact);
    [LibraryImport(C, SetLastError = true)] public static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(C, SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int socketpair(int domain, int type, int protocol, int* fds);
    [LibraryImport(C, SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport(C, SetLastError = true)] public static partial int connect(int fd, void* addr, uint len);
    [LibraryImport(C, SetLastError = true)] public static partial nint sendmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int ioctl(int fd, ulong request, void* arg);
    [LibraryImport(C, SetLastError = true)] public static partial nint read(int fd, void* buf, nuint count);
    [LibraryImport(C, SetLastError = true)] public static partial nint write(int fd, void* buf, nuint count);
    [LibraryImport(C)] public static partial uint umask(uint mask);
    [LibraryImport(C, SetLastError = true)] public static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport(C, SetLastError = true)] public static partial int dup(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int dup3(int oldfd, int newfd, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int fstat(int fd, byte* st); // struct stat: see Arch.Layouts
    [LibraryImport(C, SetLastError = true)] public static partial int fstatfs(int fd, byte* st); // struct statfs: see Arch.Layouts
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int fstatat(int dirfd, string path, byte* st, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial nint sendfile(int outFd, int inFd, long* offset, nuint count);
    [LibraryImport(C)] public static partial int getpid();
    [LibraryImport(C)] public static partial uint geteuid();
    [LibraryImport(C, SetLastError = true)] public static partial int setsid();
    [LibraryImport(C, SetLastError = true)] public static partial int execve(byte* path, byte** argv, byte** envp);
    [LibraryImport(C, SetLastError = true)] public static partial byte* getcwd(byte* buf, nuint size);
    [LibraryImport(C)] public static partial int isatty(int fd);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int mkdir(string path, uint mode);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int rmdir(string path);
    [LibraryImport(C, SetLastError = true)] public static partial int flock(int fd, int operation);
    [LibraryImport(C)] public static partial uint getegid();
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int statvfs(string path, byte* buf);
    [LibraryImport(C, SetLastError = true)] public static partial int waitid(int idtype, uint id, byte* infop, int options);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int execv(string path, string?[] argv);
    [LibraryImport(C, SetLastError = true)] public static partial int eventfd(uint initval, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int inotify_init1(int flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int inotify_add_watch(int fd, string path, uint mask);
    [LibraryImport(C, SetLastError = true)] public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events; public short Revents; }
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial nint readlinkat(int dirfd, string path, byte* buf, nuint size);
    /// <summary>struct termios (Arch.Layouts.TermiosSize bytes); callers treat it as an opaque buffer.</summary>
    [LibraryImport(C, SetLastError = true)] public static partial int tcgetattr(int fd, byte* termios);
    [LibraryImport(C, SetLastError = true)] public static partial int tcsetattr(int fd, int action, byte* termios);
    [LibraryImport(C)] public static partial void cfmakeraw(byte* termios);

    // Layer unpack (Carton.Linux.IO.FileTree, FileMetadata, ExtendedAttributes, FileSystemSync) and snapshots.
    public const int AT_SYMLINK_FOLLOW = 0x400;
    public const uint RENAME_NOREPLACE = 1;
    public const int XATTR_CREATE = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec { public long Sec; public long Nsec; }

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int fchmodat(int dirfd, string path, uint mode, int flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int utimensat(int dirfd, string path, Timespec* times, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int futimens(int fd, Timespec* times);
    [LibraryImport(C, SetLastError = true)] public static partial int syncfs(int fd);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int fsetxattr(int fd, string name, byte* value, nuint size, int flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial nint lgetxattr(string path, string name, byte* value, nuint size);
    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial nint llistxattr(string path, byte* list, nuint size);

    public static int OpenAt2(int dirfd, string path, ulong flags, ulong resolve)
    {
        var how = new OpenHow { Flags = flags, Resolve = resolve };
        var bytes = Utf8Z(path);
        fixed (byte* p = bytes)
            return (int)syscall(Arch.Syscalls.Openat2, dirfd, (long)p, (long)&how, sizeof(OpenHow), 0, 0);
    }

    public static int PivotRoot(string newRoot, string putOld)
    {
        var a = Utf8Z(newRoot); var b = Utf8Z(putOld);
        fixed (byte* pa = a) fixed (byte* pb = b)
            return (int)syscall(Arch.Syscalls.PivotRoot, (long)pa, (long)pb, 0, 0, 0, 0);
    }

    public static int MountSetattr(int dirfd, string path, int flags, MountAttr attr)
    {
        var bytes = Utf8Z(path);
        fixed (byte* p = bytes)
            return (int)syscall(Arch.Syscalls.MountSetattr, dirfd, (long)p, flags, (long)&attr, sizeof(MountAttr), 0);
    }

    public const uint OPEN_TREE_CLONE = 1, MOVE_MOUNT_F_EMPTY_PATH = 0x4, MOVE_MOUNT_T_EMPTY_PATH = 0x40, FSOPEN_CLOEXEC = 1,
        FSMOUNT_CLOEXEC = 1, FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_SET_FD = 5, FSCONFIG_CMD_CREATE = 6;

    public static int OpenTree(int dirfd, string path, uint flags)
    {
        var bytes = Utf8Z(path);
        fixed (byte* p = bytes)
            return (int)syscall(Arch.Syscalls.OpenTree, dirfd, (long)p, flags, 0, 0, 0);
    }

    /// <summary>move_mount(fromFd, "", toFd, "", F_EMPTY_PATH|T_EMPTY_PATH): attaches the mount behind
    /// <paramref name="fromFd"/> on the object behind <paramref name="toFd"/>, no path involved.</summary>
    public static int MoveMountFds(int fromFd, int toFd)
    {
        byte empty = 0;
        return (int)syscall(Arch.Syscalls.MoveMount, fromFd, (long)&empty, toFd, (long)&empty, MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH, 0);
    }

    public static int Fsopen(string fsName, uint flags)
    {
        var bytes = Utf8Z(fsName);
        fixed (byte* p = bytes)
            return (int)syscall(Arch.Syscalls.Fsopen, (long)p, flags, 0, 0, 0, 0);
    }

    public static int Fsconfig(int fsFd, uint cmd, string? key, string? value)
    {
        var k = key is null ? null : Utf8Z(key);
        var v = value is null ? null : Utf8Z(value);
        fixed (byte* pk = k) fixed (byte* pv = v)
            return (int)syscall(Arch.Syscalls.Fsconfig, fsFd, cmd, (long)pk, (long)pv, 0, 0);
    }

    /// <summary>fsconfig(fsFd, FSCONFIG_SET_FD, key, NULL, fd): a parameter given as an open file (overlayfs layers, 6.13+).</summary>
    public static int FsconfigFd(int fsFd, string key, int fd)
    {
        var k = Utf8Z(key);
        fixed (byte* pk = k)
            return (int)syscall(Arch.Syscalls.Fsconfig, fsFd, FSCONFIG_SET_FD, (long)pk, 0, fd, 0);
    }

    public static int Fsmount(int fsFd, uint flags, ulong attrs) => (int)syscall(Arch.Syscalls.Fsmount, fsFd, flags, (long)attrs, 0, 0, 0);

    public static int Getdents64(int fd, byte* buf, int size) => (int)syscall(Arch.Syscalls.Getdents64, fd, (long)buf, size, 0, 0, 0);

    public static int CloseRange(uint first, uint last, uint flags) => (int)syscall(Arch.Syscalls.CloseRange, first, last, flags, 0, 0, 0);

    public static int MemfdCreate(string name, uint flags)
    {
        var bytes = Utf8Z(name);
        fixed (byte* p = bytes)
            return (int)syscall(Arch.Syscalls.MemfdCreate, (long)p, flags, 0, 0, 0, 0);
    }

    public static byte[] Utf8Z(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    public static bool WIFEXITED(int status) => (status & 0x7f) == 0;
    public static int WEXITSTATUS(int status) => (status >> 8) & 0xff;
    public static bool WIFSIGNALED(int status) => ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) != 0x7f && (status & 0x7f) != 0;
    public static int WTERMSIG(int status) => status & 0x7f;

    /// <summary>The exit code as a shell reports it: the status, or 128+N for signal N.</summary>
    public static int ExitCodeOf(int status) => WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
