using Carton.Linux.Interop;

namespace Carton.Linux.ProcessSetup;

/// <summary>
/// Switches the calling thread to process.user (config.md "User"). Raw syscalls, not glibc's wrappers: glibc
/// changes the ids of every thread of the process, while the kernel call changes only this one, which is the thread
/// that execs; the other runtime threads die at execve anyway.
/// </summary>
public static unsafe class Identity
{
    public static void Apply(uint uid, uint gid, IReadOnlyList<uint> additionalGids, bool setgroupsAllowed)
    {
        if (setgroupsAllowed)
        {
            var groups = additionalGids.ToArray();
            fixed (uint* g = groups)
                if (Libc.syscall(Arch.Syscalls.Setgroups, groups.Length, (long)g, 0, 0, 0, 0) < 0)
                    throw SyscallException.Last($"setgroups {string.Join(',', groups)} (process.user.additionalGids)");
        }
        if (Libc.syscall(Arch.Syscalls.Setresgid, gid, gid, gid, 0, 0, 0) < 0)
            throw SyscallException.Last($"setresgid {gid} (process.user.gid)");
        if (Libc.syscall(Arch.Syscalls.Setresuid, uid, uid, uid, 0, 0, 0) < 0)
            throw SyscallException.Last($"setresuid {uid} (process.user.uid)");
    }

    public static void KeepCapabilities(bool keep)
    {
        if (Libc.prctl(Libc.PR_SET_KEEPCAPS, keep ? 1UL : 0UL, 0, 0, 0) < 0)
            throw SyscallException.Last("prctl PR_SET_KEEPCAPS");
    }
}
