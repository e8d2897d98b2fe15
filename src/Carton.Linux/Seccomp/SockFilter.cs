using System.Runtime.InteropServices;

namespace Carton.Linux.Seccomp;

/// <summary>One classic BPF instruction: struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; } (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct SockFilter(ushort Code, byte Jt, byte Jf, uint K)
{
    public override string ToString() => $"{{ 0x{Code:x2}, {Jt}, {Jf}, 0x{K:x8} }}";
}

/// <summary>The classic BPF opcodes the seccomp compiler emits (linux/filter.h, linux/bpf_common.h).</summary>
public static class Bpf
{
    // Classes.
    public const ushort LD = 0x00, ALU = 0x04, JMP = 0x05, RET = 0x06;
    // ld size and mode.
    public const ushort W = 0x00, ABS = 0x20;
    // alu / jmp operations.
    public const ushort AND = 0x50, JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    // Source.
    public const ushort K = 0x00;

    /// <summary>BPF_MAXINSNS: the kernel rejects longer classic programs.</summary>
    public const int MaxInstructions = 4096;

    /// <summary>A = *(u32 *)(seccomp_data + offset).</summary>
    public static SockFilter LoadAbsolute(uint offset) => new(LD | W | ABS, 0, 0, offset);
    public static SockFilter Ret(uint value) => new(RET | K, 0, 0, value);
}

/// <summary>struct seccomp_data offsets: { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }.</summary>
public static class SeccompData
{
    public const uint NrOffset = 0, ArchOffset = 4, InstructionPointerOffset = 8, ArgsOffset = 16;
    /// <summary>Size of struct seccomp_data.</summary>
    public const int Size = 64;

    /// <summary>Offset of the low 32 bits of args[index] (x86 is little-endian: the low word comes first).</summary>
    public static uint ArgLow(int index) => ArgsOffset + 8 * (uint)index;
    /// <summary>Offset of the high 32 bits of args[index].</summary>
    public static uint ArgHigh(int index) => ArgsOffset + 8 * (uint)index + 4;
}

/// <summary>SECCOMP_RET_* filter return values and the AUDIT_ARCH_* tokens the filter dispatches on.</summary>
public static class SeccompReturn
{
    public const uint KillProcess = 0x80000000, KillThread = 0x00000000, Trap = 0x00030000, Errno = 0x00050000,
        UserNotif = 0x7fc00000, Trace = 0x7ff00000, Log = 0x7ffc0000, Allow = 0x7fff0000;
    /// <summary>SECCOMP_RET_ACTION_FULL / SECCOMP_RET_DATA.</summary>
    public const uint ActionMask = 0xffff0000, DataMask = 0x0000ffff;

    public const uint AuditArchX86_64 = 0xC000003E, AuditArchI386 = 0x40000003;
}
