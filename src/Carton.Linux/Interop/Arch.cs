using System.Runtime.InteropServices;

namespace Carton.Linux.Interop;

/// <summary>
/// The one place that knows which CPU architecture Carton runs on: the numbers of the system calls it makes through
/// syscall(2) and the offsets of the kernel and libc structures whose layout differs between architectures.
/// Each architecture has a file of its own (Arch.X64.cs); any other fails clearly as unsupported.
/// </summary>
internal static partial class Arch
{
    // Selected on first use: static field initializers of the partial files (Arch.X64.cs, ...) run in no set order.
    private static readonly Lazy<Table?> Current = new(() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => X64,
        _ => null,
    });

    /// <summary>The table of the running architecture.</summary>
    private static Table Selected => Current.Value ?? throw new PlatformNotSupportedException(
        $"carton supports x86_64 only: syscall numbers and structure layouts for {RuntimeInformation.ProcessArchitecture} are unknown (Unsupported)");

    /// <summary>System call numbers (for calls glibc does not wrap, or wraps process-wide).</summary>
    public static SyscallNumbers Syscalls => Selected.Syscalls;

    /// <summary>Layouts of the structures whose shape depends on the architecture.</summary>
    public static StructLayouts Layouts => Selected.Layouts;

    internal sealed record Table(SyscallNumbers Syscalls, StructLayouts Layouts);

    internal sealed record SyscallNumbers
    {
        public required long Setgroups { get; init; }
        public required long Setresuid { get; init; }
        public required long Setresgid { get; init; }
        public required long Capget { get; init; }
        public required long Capset { get; init; }
        public required long PivotRoot { get; init; }
        public required long Keyctl { get; init; }
        public required long Seccomp { get; init; }
        public required long MemfdCreate { get; init; }
        public required long Execveat { get; init; }
        public required long PidfdSendSignal { get; init; }
        public required long PidfdOpen { get; init; }
        public required long CloseRange { get; init; }
        public required long Openat2 { get; init; }
        public required long MountSetattr { get; init; }
        public required long Bpf { get; init; }
        public required long Getdents64 { get; init; }
        public required long OpenTree { get; init; }
        public required long MoveMount { get; init; }
        public required long Fsopen { get; init; }
        public required long Fsconfig { get; init; }
        public required long Fsmount { get; init; }
    }

    /// <summary>
    /// Byte offsets into glibc's <c>struct stat</c>, <c>struct statvfs</c> and <c>struct statfs</c>, and the size of <c>struct termios</c>.
    /// The other structures Carton passes (open_how, mount_attr, rlimit, cap headers, winsize, msghdr, pollfd) are
    /// fixed-width UAPI structures laid out alike on every 64-bit architecture.
    /// </summary>
    internal sealed record StructLayouts
    {
        public required int StatSize { get; init; }
        public required int StatDev { get; init; }
        public required int StatIno { get; init; }
        public required int StatNlink { get; init; }
        public required int StatMode { get; init; }
        public required int StatUid { get; init; }
        public required int StatGid { get; init; }
        public required int StatRdev { get; init; }
        public required int StatFileSize { get; init; }
        /// <summary>Offset of st_mtim (a struct timespec: seconds, then nanoseconds).</summary>
        public required int StatMtime { get; init; }
        public required int StatvfsSize { get; init; }
        public required int StatvfsFlag { get; init; }
        /// <summary>Offset of f_type in <c>struct statfs</c> (fstatfs(2)).</summary>
        public required int StatfsType { get; init; }
        public required int TermiosSize { get; init; }
    }

    /// <summary>Room enough for <c>struct stat</c> (and <c>struct statfs</c>) on any architecture.</summary>
    public const int MaxStatSize = 256;
}
