namespace Carton.Linux.Interop;

internal static partial class Arch
{
    /// <summary>x86_64: arch/x86/entry/syscalls/syscall_64.tbl, and glibc's x86_64 struct layouts.</summary>
    private static readonly Table X64 = new(
        new SyscallNumbers
        {
            Setgroups = 116, Setresuid = 117, Setresgid = 119, Capget = 125, Capset = 126, PivotRoot = 155, Keyctl = 250,
            Seccomp = 317, MemfdCreate = 319, Execveat = 322, PidfdSendSignal = 424, PidfdOpen = 434, CloseRange = 436,
            Openat2 = 437, MountSetattr = 442, Bpf = 321, Getdents64 = 217, OpenTree = 428, MoveMount = 429, Fsopen = 430,
            Fsconfig = 431, Fsmount = 432,
        },
        new StructLayouts
        {
            // struct stat: st_dev, st_ino, st_nlink (u64 each), st_mode, st_uid, st_gid (u32 each), pad, st_rdev (u64),
            // st_size (i64), st_blksize, st_blocks, three timespecs, three reserved longs: 144 bytes.
            StatSize = 144, StatDev = 0, StatIno = 8, StatNlink = 16, StatMode = 24, StatUid = 28, StatGid = 32, StatRdev = 40,
            StatFileSize = 48, StatMtime = 88,
            // struct statvfs: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail, f_fsid, f_flag...
            StatvfsSize = 112, StatvfsFlag = 72,
            // struct statfs: f_type (long) first.
            StatfsType = 0,
            TermiosSize = 60,
        });
}
