using Carton.Linux.Seccomp;
using Carton.Oci;

namespace Carton.Linux.Tests.Seccomp;

/// <summary>Builders for profiles, and an independent reference model of the documented filter semantics.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SeccompTestProfiles
{
    public static LinuxSeccomp Profile(string defaultAction, params LinuxSyscall[] rules) =>
        new() { DefaultAction = defaultAction, Syscalls = [.. rules] };

    public static LinuxSyscall Rule(string action, string[] names, uint? errnoRet = null, params LinuxSeccompArg[] args) =>
        new() { Names = [.. names], Action = action, ErrnoRet = errnoRet, Args = args.Length == 0 ? null : [.. args] };

    public static LinuxSyscall Rule(string action, string name, params LinuxSeccompArg[] args) => Rule(action, [name], null, args);

    public static LinuxSeccompArg Arg(uint index, string op, ulong value, ulong valueTwo = 0) =>
        new() { Index = index, Op = op, Value = value, ValueTwo = valueTwo };

    public static int Nr(string name) => SyscallTable.TryGetNumber(SeccompArch.X86_64, name, out var n) ? n : throw new ArgumentException(name);
    public static int Nr32(string name) => SyscallTable.TryGetNumber(SeccompArch.X86, name, out var n) ? n : throw new ArgumentException(name);
    public static int NrX32(string name) => SyscallTable.TryGetNumber(SeccompArch.X32, name, out var n) ? n : throw new ArgumentException(name);

    public static uint Errno(uint e) => SeccompReturn.Errno | e;

    /// <summary>The SECCOMP_RET_* value the documented semantics give (see <see cref="SeccompCompiler"/>), computed directly.</summary>
    public static uint Expected(LinuxSeccomp p, SeccompDataInput d, uint badArch = SeccompCompiler.DefaultBadArchAction)
    {
        var listed = p.Architectures ?? [];
        SeccompArch arch;
        if (d.Arch == SeccompReturn.AuditArchX86_64)
        {
            if ((d.Nr & SyscallTable.X32SyscallBit) != 0)
            {
                if (!listed.Contains("SCMP_ARCH_X32")) return badArch;
                arch = SeccompArch.X32;
            }
            else arch = SeccompArch.X86_64;
        }
        else if (d.Arch == SeccompReturn.AuditArchI386 && listed.Contains("SCMP_ARCH_X86")) arch = SeccompArch.X86;
        else return badArch;

        uint def = Action(p.DefaultAction!, p.DefaultErrnoRet);
        foreach (var rule in p.Syscalls ?? [])
        {
            uint act = Action(rule.Action!, rule.ErrnoRet);
            if (act == def) continue;
            foreach (var name in rule.Names!)
            {
                if (!SyscallTable.TryGetNumber(arch, name, out var nr) || nr != d.Nr) continue;
                if ((rule.Args ?? []).All(a => arch == SeccompArch.X86_64 ? Holds(a, d.Args[a.Index]) : Holds32(a, d.Args[a.Index]))) return act;
            }
        }
        return def;
    }

    private static bool Holds(LinuxSeccompArg a, ulong x) => a.Op switch
    {
        "SCMP_CMP_NE" => x != a.Value,
        "SCMP_CMP_LT" => x < a.Value,
        "SCMP_CMP_LE" => x <= a.Value,
        "SCMP_CMP_EQ" => x == a.Value,
        "SCMP_CMP_GE" => x >= a.Value,
        "SCMP_CMP_GT" => x > a.Value,
        "SCMP_CMP_MASKED_EQ" => (x & a.Value) == a.ValueTwo,
        _ => throw new ArgumentException(a.Op),
    };

    /// <summary>x86 and x32 (libseccomp's 32-bit arches): the arg, value and valueTwo are cut to their low 32 bits.</summary>
    private static bool Holds32(LinuxSeccompArg a, ulong x) =>
        Holds(new LinuxSeccompArg { Index = a.Index, Op = a.Op, Value = (uint)a.Value, ValueTwo = (uint)a.ValueTwo }, (uint)x);

    public static uint Action(string action, uint? errno) => action switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => 0,
        "SCMP_ACT_KILL_PROCESS" => 0x80000000,
        "SCMP_ACT_TRAP" => 0x00030000,
        "SCMP_ACT_ERRNO" => 0x00050000 | (errno ?? 1),
        "SCMP_ACT_TRACE" => 0x7ff00000 | (errno ?? 1),
        "SCMP_ACT_ALLOW" => 0x7fff0000,
        "SCMP_ACT_LOG" => 0x7ffc0000,
        "SCMP_ACT_NOTIFY" => 0x7fc00000,
        _ => throw new ArgumentException(action),
    };
}
