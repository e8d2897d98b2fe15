namespace Carton.Runtime.Plan;

/// <summary>
/// The setup plan's operations, as native/carton_plan.h numbers them (change both together). Each is one primitive
/// the executor (carton-dmz) performs with the operands C# chose; <see cref="PlanCompiler"/> says why each is there.
/// </summary>
public enum PlanCode : ushort
{
    Adopt = 1, Close = 2, Prctl = 3, ProcFs = 4, Open = 5, OpenCreate = 6, Check = 7, NotSymlink = 8, Mount = 9,
    SetAttr = 10, Mask = 11, Readonly = 12, Mknod = 13, Symlink = 14, Unlink = 15, Write = 16, Unshare = 17,
    Hostname = 18, LoopbackUp = 19, Pivot = 20, Rlimit = 21, Sync = 22, FindExec = 23, WaitFifo = 24, Keyring = 25,
    Umask = 26, CapBoundingSet = 27, Ids = 28, CapSet = 29, Chdir = 30, VerifyCwd = 31, Seccomp = 32,
    CloseFrom = 33, Exec = 34, Idle = 35, Pty = 36, SendPty = 37, ControllingTerminal = 38,
}

/// <summary>Flags of an operation (carton_plan.h): each names a rule C# decided, never a decision the executor makes.</summary>
[Flags]
public enum PlanFlags : ushort
{
    None = 0,
    IgnoreEnoent = 1,
    /// <summary>Mount: on EINVAL retry at the parent directory (the mount enclosing a path).</summary>
    WalkUp = 2,
    /// <summary>Mount: on EPERM bind the fallback host path instead (sysfs or mqueue refused in a user namespace).</summary>
    FallbackBind = 4,
    /// <summary>Mount: on EPERM retry with MS_NOSUID|MS_NODEV (flags locked on the underlying mount).</summary>
    RetryLocked = 8,
    IgnoreEexist = 16,
    /// <summary>Chdir: a failure is remembered, and retried by a later Chdir with <see cref="IfFailed"/>.</summary>
    Try = 32,
    IfFailed = 64,
    /// <summary>Mask, Readonly: through /proc/self/fd/N paths (the defence "mask-by-fd" switched off).</summary>
    ByPath = 128,
    IgnoreError = 256,
}

/// <summary>What a <see cref="PlanCode.Check"/> verifies about an fd.</summary>
public enum CheckKind
{
    FsIs = 1, FsIsNot = 2, TypeIs = 3, RdevIs = 4,
}

/// <summary>What the executor reports on its sync socket (carton_plan_report).</summary>
public enum PlanReport
{
    Hooks = 1, Ready = 2, Error = 3,
}

/// <summary>The kernel constants the plan's operands carry (uapi values; x86_64 and arm64 agree on all of them).</summary>
public static class Sys
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_PATH = 0x200000;
    public const int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    public const int PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8, PR_SET_NO_NEW_PRIVS = 38;
    public const int S_IFREG = 0x8000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000, S_IFMT = 0xF000;
    public const int CLONE_NEWTIME = 0x80, CLONE_NEWCGROUP = 0x02000000;
    public const long PROC_SUPER_MAGIC = 0x9fa0;

    /// <summary>dev_t as glibc and musl encode it (makedev).</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
