using System.Collections.Frozen;

namespace Carton.Linux.Seccomp;

/// <summary>The system call ABIs Carton compiles seccomp filters for (all three run on an x86_64 kernel).</summary>
public enum SeccompArch
{
    /// <summary>SCMP_ARCH_X86_64: AUDIT_ARCH_X86_64, syscall numbers below 0x40000000.</summary>
    X86_64,
    /// <summary>SCMP_ARCH_X86: AUDIT_ARCH_I386 (int 0x80 / 32-bit compat).</summary>
    X86,
    /// <summary>SCMP_ARCH_X32: AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT (0x40000000) set in the syscall number.</summary>
    X32,
}

/// <summary>
/// Syscall name → number for x86_64, i386 and x32, generated from the kernel UAPI headers (see
/// gen_syscall_table.py). x32 numbers include <see cref="X32SyscallBit"/>. A name the table does not know
/// (newer than the table, or another architecture's) is simply absent: the compiler skips it, never an error.
/// </summary>
public static partial class SyscallTable
{
    /// <summary>__X32_SYSCALL_BIT.</summary>
    public const int X32SyscallBit = 0x40000000;

    private static readonly FrozenDictionary<string, int> X86_64Map = Data.X86_64Entries.ToFrozenDictionary(e => e.Name, e => e.Nr, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, int> X86Map = Data.X86Entries.ToFrozenDictionary(e => e.Name, e => e.Nr, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, int> X32Map = Data.X32Entries.ToFrozenDictionary(e => e.Name, e => e.Nr, StringComparer.Ordinal);

    /// <summary>All names and numbers of one ABI.</summary>
    public static IReadOnlyDictionary<string, int> For(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => X86_64Map,
        SeccompArch.X86 => X86Map,
        SeccompArch.X32 => X32Map,
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    /// <summary>The number of <paramref name="name"/> on <paramref name="arch"/>; false when the ABI has no such syscall.</summary>
    public static bool TryGetNumber(SeccompArch arch, string name, out int number) => For(arch).TryGetValue(name, out number);

    /// <summary>
    /// A short fingerprint of the tables (entry counts and highest numbers), mixed into the compiled-filter cache key so
    /// a regenerated table never reuses a stale cached filter.
    /// </summary>
    internal static string Fingerprint { get; } = string.Join(',',
        new[] { Data.X86_64Entries, Data.X86Entries, Data.X32Entries }.Select(t => $"{t.Length}:{t.Max(e => e.Nr)}:{t.Sum(e => (long)e.Nr)}"));
}
