using Carton.Linux.Interop;
using System.Runtime.InteropServices;

namespace Carton.Linux.Seccomp;

/// <summary>
/// Installs a compiled filter with seccomp(2). Seccomp filters are per thread: without SECCOMP_FILTER_FLAG_TSYNC the
/// filter applies to the calling thread (and the threads and processes it creates later). Carton's init loads the
/// filter on the thread that then calls execve, so it does not need TSYNC (exec leaves only that thread); flags are
/// nevertheless honoured as the profile gives them. The caller must have set no_new_privs (prctl
/// PR_SET_NO_NEW_PRIVS) or hold CAP_SYS_ADMIN, or the kernel answers EACCES.
/// </summary>
public static class SeccompFilter
{
    public const uint SECCOMP_SET_MODE_FILTER = 1;
    public const uint FlagTsync = 1, FlagLog = 2, FlagSpecAllow = 4, FlagNewListener = 8, FlagTsyncEsrch = 16, FlagWaitKillableRecv = 32;

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SockFprog
    {
        public ushort Len;
        public SockFilter* Filter;
    }


    /// <summary>
    /// Loads <paramref name="program"/> on the calling thread. <paramref name="flags"/> are the profile's
    /// SECCOMP_FILTER_FLAG_* names; SECCOMP_FILTER_FLAG_NEW_LISTENER is added when <paramref name="needsNotifyFd"/>
    /// (see <see cref="SeccompCompiler.NeedsNotifyFd"/>), and with TSYNC as well SECCOMP_FILTER_FLAG_TSYNC_ESRCH too
    /// (the kernel refuses TSYNC + NEW_LISTENER otherwise; libseccomp does the same).
    /// </summary>
    /// <returns>The notify listener fd (close-on-exec) when a listener was requested, otherwise -1.</returns>
    /// <exception cref="SeccompException">An unknown flag, an empty or oversized program, or seccomp(2) failed.</exception>
    public static unsafe int Load(SockFilter[] program, IEnumerable<string> flags, bool needsNotifyFd)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(flags);
        var errors = new List<string>();
        uint bits = ParseFlags(flags, needsNotifyFd, errors);
        if (errors.Count > 0) throw new SeccompException(errors);
        if (program.Length is 0 or > Bpf.MaxInstructions)
            throw new SeccompException($"seccomp: program has {program.Length} instructions (must be 1..{Bpf.MaxInstructions})");

        long rc;
        fixed (SockFilter* p = program)
        {
            var prog = new SockFprog { Len = (ushort)program.Length, Filter = p };
            rc = Libc.syscall(Arch.Syscalls.Seccomp, SECCOMP_SET_MODE_FILTER, (long)bits, (long)(&prog), 0, 0, 0);
        }
        if (rc < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SeccompException($"seccomp(SECCOMP_SET_MODE_FILTER, 0x{bits:x}): {Interop.Errno.Describe(errno)}", errno);
        }
        // With TSYNC, a positive return is the id of a thread that could not be synchronized (only without TSYNC_ESRCH,
        // which we add whenever a listener is requested).
        if ((bits & FlagTsync) != 0 && (bits & FlagNewListener) == 0 && rc > 0)
            throw new SeccompException($"seccomp: SECCOMP_FILTER_FLAG_TSYNC failed: thread {rc} cannot be synchronized", 0);
        return (bits & FlagNewListener) != 0 ? (int)rc : -1;
    }

    /// <summary>SECCOMP_FILTER_FLAG_* names → bits; unknown names are reported as "linux.seccomp.flags[i]: ...".</summary>
    public static uint ParseFlags(IEnumerable<string> flags, bool needsNotifyFd, List<string> errors)
    {
        uint bits = needsNotifyFd ? FlagNewListener : 0;
        int i = 0;
        foreach (var f in flags)
        {
            bits |= f switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => FlagTsync,
                "SECCOMP_FILTER_FLAG_LOG" => FlagLog,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => FlagSpecAllow,
                "SECCOMP_FILTER_FLAG_NEW_LISTENER" => FlagNewListener,
                "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" => FlagTsyncEsrch,
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => FlagWaitKillableRecv,
                _ => Unknown(f, i),
            };
            i++;
        }
        if ((bits & FlagTsync) != 0 && (bits & FlagNewListener) != 0) bits |= FlagTsyncEsrch;
        return bits;

        uint Unknown(string f, int index)
        {
            errors.Add($"linux.seccomp.flags[{index}]: unknown flag \"{f}\"");
            return 0;
        }
    }
}
