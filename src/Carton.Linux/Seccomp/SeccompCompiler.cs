using System.Globalization;
using Carton.Oci;

namespace Carton.Linux.Seccomp;

/// <summary>
/// Compiles an OCI <see cref="LinuxSeccomp"/> profile into a classic BPF seccomp program, without libseccomp.
/// <para>Program layout (same shape as libseccomp's):</para>
/// <code>
///   ld [arch]                       ; seccomp_data.arch
///   jeq AUDIT_ARCH_X86_64 → amd64   ; when x86_64 or x32 is in the filter
///   jeq AUDIT_ARCH_I386   → i386    ; when x86 is in the filter
///   ret badArch
/// amd64: ld [nr]
///   jge 0x40000000 → x32 section (or the final ret badArch when x32 is not in the filter)
///   x86_64 section
/// i386: ld [nr]; x86 section
///   ret badArch
/// section: jeq nr → block, one per syscall named in the profile; ret default; blocks (see below)
/// </code>
/// <para>Semantics, documented where libseccomp/runc leave room:</para>
/// <list type="bullet">
/// <item>Architectures: the native ABI (x86_64) is always in the filter, like runc (libseccomp's seccomp_init adds the
/// native arch); <c>architectures</c> adds SCMP_ARCH_X86 and SCMP_ARCH_X32. The other SCMP_ARCH_* names of the spec
/// are accepted and ignored (an x86_64 kernel never reports them); any other name is an error.</item>
/// <item>A syscall from an architecture not in the filter (including an x32 syscall when SCMP_ARCH_X32 is not
/// listed) gets the bad-arch action: <see cref="DefaultBadArchAction"/> = SECCOMP_RET_KILL_THREAD, libseccomp's
/// default (SCMP_ACT_KILL), which runc keeps.</item>
/// <item>Syscall names the table does not know for an ABI are skipped for that ABI (profiles name syscalls of newer
/// kernels and other architectures).</item>
/// <item>Rules are tried in profile order; the first rule for the syscall whose argument comparisons all hold
/// decides the action (comparisons within one rule are ANDed, rules for one syscall are ORed). A rule without
/// args matches unconditionally. When no rule matches, the default action applies.</item>
/// <item>A rule whose action (with its errno) equals the default action is dropped, as runc does (libseccomp
/// refuses such rules), so it never shadows a later rule for the same syscall.</item>
/// <item>On x86_64, args are compared as unsigned 64-bit values (high word first, then low word);
/// SCMP_CMP_MASKED_EQ is <c>(arg &amp; value) == valueTwo</c> (value is the mask, as in libseccomp's (mask, datum)).</item>
/// <item>On the 32-bit ABIs, x86 (AUDIT_ARCH_I386) and x32, args are 32 bits: only the low word of
/// seccomp_data.args[i] is loaded, and value/valueTwo are truncated to their low 32 bits, as libseccomp does for
/// every ARCH_SIZE_32 arch (_db_rule_gen_32). The filter never reads the high word there: the kernel zero-extends
/// i386 compat args, but the filter must not depend on that, and for x32 the x86-64 psABI leaves the upper half of
/// a 32-bit argument register undefined. So a rule value with high bits set is compared by its low word (EQ
/// 0x1_00000002 matches 2 on x86), exactly like runc's filters.</item>
/// <item>Errno: SCMP_ACT_ERRNO and SCMP_ACT_TRACE use the rule's <c>errnoRet</c> (the default action uses
/// <c>defaultErrnoRet</c>), EPERM when unset; rules do not inherit <c>defaultErrnoRet</c> (runc). An errno on any
/// other action is an error (runtime-spec: "the runtime MUST print an error and fail").</item>
/// <item>SCMP_ACT_NOTIFY cannot be the default action (runc, libseccomp).</item>
/// </list>
/// </summary>
public static partial class SeccompCompiler
{
    /// <summary>Bad-arch action when none is given: SECCOMP_RET_KILL_THREAD (libseccomp's SCMP_ACT_KILL default).</summary>
    public const uint DefaultBadArchAction = SeccompReturn.KillThread;

    private const int EPERM = 1;
    private const string Root = "linux.seccomp";

    private static readonly HashSet<string> IgnoredArchitectures = new(StringComparer.Ordinal)
    {
        "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
        "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    };

    private enum CmpOp { Ne, Lt, Le, Eq, Ge, Gt, MaskedEq }

    private readonly record struct ArgCheck(int Index, CmpOp Op, ulong Value, ulong ValueTwo);

    private sealed record Rule(uint Action, ArgCheck[] Args);

    /// <summary>Compiles the profile with <see cref="DefaultBadArchAction"/>.</summary>
    public static SockFilter[] Compile(LinuxSeccomp profile) => Compile(profile, DefaultBadArchAction);

    /// <summary>Compiles the profile; <paramref name="badArchAction"/> is the SECCOMP_RET_* value for foreign architectures.</summary>
    /// <exception cref="SeccompException">The profile is invalid (all problems listed) or the program is too long.</exception>
    public static SockFilter[] Compile(LinuxSeccomp profile, uint badArchAction)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var errors = new List<string>();
        var (defaultAction, archs, rules) = Resolve(profile, errors);
        if (errors.Count > 0) throw new SeccompException(errors);

        var asm = new BpfAssembler();
        var bad = asm.NewLabel();
        var amd64 = asm.NewLabel();
        var i386 = asm.NewLabel();
        bool wantAmd64 = archs.Contains(SeccompArch.X86_64) || archs.Contains(SeccompArch.X32);
        bool wantI386 = archs.Contains(SeccompArch.X86);

        asm.LoadAbsolute(SeccompData.ArchOffset);
        if (wantAmd64) asm.JumpIf(Bpf.JEQ, SeccompReturn.AuditArchX86_64, amd64, null);
        if (wantI386) asm.JumpIf(Bpf.JEQ, SeccompReturn.AuditArchI386, i386, null);
        asm.Ret(badArchAction);

        if (wantAmd64)
        {
            var x32 = asm.NewLabel();
            bool wantX32 = archs.Contains(SeccompArch.X32);
            asm.Bind(amd64);
            asm.LoadAbsolute(SeccompData.NrOffset);
            asm.JumpIf(Bpf.JGE, SyscallTable.X32SyscallBit, wantX32 ? x32 : bad, null);
            if (archs.Contains(SeccompArch.X86_64)) EmitSection(asm, SeccompArch.X86_64, rules, defaultAction);
            else asm.Ret(badArchAction);
            if (wantX32)
            {
                asm.Bind(x32);
                EmitSection(asm, SeccompArch.X32, rules, defaultAction);
            }
        }
        if (wantI386)
        {
            asm.Bind(i386);
            asm.LoadAbsolute(SeccompData.NrOffset);
            EmitSection(asm, SeccompArch.X86, rules, defaultAction);
        }
        asm.Bind(bad); // jumps are forward only: x32 syscalls without SCMP_ARCH_X32 land here
        asm.Ret(badArchAction);

        var program = asm.Assemble();
        if (program.Length > Bpf.MaxInstructions)
            throw new SeccompException([$"{Root}: the compiled filter has {program.Length} instructions, more than the kernel's limit of {Bpf.MaxInstructions}"]);
        return program;
    }

    /// <summary>Checks the profile without compiling it (what <see cref="Compile(LinuxSeccomp)"/> would reject, plus unknown flags).</summary>
    public static IReadOnlyList<string> Validate(LinuxSeccomp profile)
    {
        var errors = new List<string>();
        Resolve(profile, errors);
        SeccompFilter.ParseFlags(profile.Flags ?? [], false, errors);
        return errors;
    }

    /// <summary>True when the filter must be loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER (a rule uses SCMP_ACT_NOTIFY).</summary>
    public static bool NeedsNotifyFd(LinuxSeccomp profile) =>
        profile.DefaultAction == "SCMP_ACT_NOTIFY" || (profile.Syscalls?.Any(s => s.Action == "SCMP_ACT_NOTIFY") ?? false);

    private static (uint Default, HashSet<SeccompArch> Archs, List<(string Name, Rule Rule)> Rules) Resolve(LinuxSeccomp profile, List<string> errors)
    {
        uint defaultAction = 0;
        if (string.IsNullOrEmpty(profile.DefaultAction)) errors.Add($"{Root}.defaultAction: must be set");
        else if (profile.DefaultAction == "SCMP_ACT_NOTIFY") errors.Add($"{Root}.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
        else if (ResolveAction(profile.DefaultAction, profile.DefaultErrnoRet, $"{Root}.defaultAction", $"{Root}.defaultErrnoRet", errors) is { } d)
            defaultAction = d;

        var archs = new HashSet<SeccompArch> { SeccompArch.X86_64 };
        var list = profile.Architectures ?? [];
        for (int i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case "SCMP_ARCH_X86_64": archs.Add(SeccompArch.X86_64); break;
                case "SCMP_ARCH_X86": archs.Add(SeccompArch.X86); break;
                case "SCMP_ARCH_X32": archs.Add(SeccompArch.X32); break;
                case { } a when IgnoredArchitectures.Contains(a): break;
                default: errors.Add($"{Root}.architectures[{i}]: unknown architecture \"{list[i]}\""); break;
            }
        }

        var rules = new List<(string, Rule)>();
        var calls = profile.Syscalls ?? [];
        for (int i = 0; i < calls.Count; i++)
        {
            var at = $"{Root}.syscalls[{i}]";
            var call = calls[i];
            if (call is null) { errors.Add($"{at}: must be an object"); continue; }
            if (call.Names is not { Count: > 0 }) errors.Add($"{at}.names: must contain at least one name");
            uint? action = null;
            if (string.IsNullOrEmpty(call.Action)) errors.Add($"{at}.action: must be set");
            else action = ResolveAction(call.Action, call.ErrnoRet, $"{at}.action", $"{at}.errnoRet", errors);

            var args = new List<ArgCheck>();
            var specArgs = call.Args ?? [];
            for (int j = 0; j < specArgs.Count; j++)
            {
                var a = specArgs[j];
                var argAt = $"{at}.args[{j}]";
                if (a is null) { errors.Add($"{argAt}: must be an object"); continue; }
                CmpOp? op = a.Op switch
                {
                    "SCMP_CMP_NE" => CmpOp.Ne, "SCMP_CMP_LT" => CmpOp.Lt, "SCMP_CMP_LE" => CmpOp.Le, "SCMP_CMP_EQ" => CmpOp.Eq,
                    "SCMP_CMP_GE" => CmpOp.Ge, "SCMP_CMP_GT" => CmpOp.Gt, "SCMP_CMP_MASKED_EQ" => CmpOp.MaskedEq, _ => null,
                };
                if (op is null) errors.Add($"{argAt}.op: unknown operator \"{a.Op}\"");
                if (a.Index > 5) errors.Add($"{argAt}.index: must be 0..5");
                if (op is { } o && a.Index <= 5) args.Add(new ArgCheck((int)a.Index, o, a.Value, a.ValueTwo));
            }
            if (action is { } act && call.Names is { } names)
                foreach (var name in names)
                    if (!string.IsNullOrEmpty(name)) rules.Add((name, new Rule(act, [.. args])));
        }
        return (defaultAction, archs, rules);
    }

    private static uint? ResolveAction(string action, uint? errnoRet, string actionPath, string errnoPath, List<string> errors)
    {
        uint? value = action switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => SeccompReturn.KillThread,
            "SCMP_ACT_KILL_PROCESS" => SeccompReturn.KillProcess,
            "SCMP_ACT_TRAP" => SeccompReturn.Trap,
            "SCMP_ACT_ERRNO" => SeccompReturn.Errno,
            "SCMP_ACT_TRACE" => SeccompReturn.Trace,
            "SCMP_ACT_ALLOW" => SeccompReturn.Allow,
            "SCMP_ACT_LOG" => SeccompReturn.Log,
            "SCMP_ACT_NOTIFY" => SeccompReturn.UserNotif,
            _ => null,
        };
        if (value is not { } v)
        {
            errors.Add($"{actionPath}: unknown action \"{action}\"");
            return null;
        }
        if (v is SeccompReturn.Errno or SeccompReturn.Trace)
        {
            uint errno = errnoRet ?? EPERM;
            if (errno > SeccompReturn.DataMask)
            {
                errors.Add($"{errnoPath}: {errno.ToString(CultureInfo.InvariantCulture)} is out of range (0..65535)");
                return null;
            }
            return v | errno;
        }
        if (errnoRet is not null)
        {
            errors.Add($"{errnoPath}: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {action}");
            return null;
        }
        return v;
    }

    private static void EmitSection(BpfAssembler asm, SeccompArch arch, List<(string Name, Rule Rule)> all, uint defaultAction)
    {
        bool args32 = arch is SeccompArch.X86 or SeccompArch.X32; // libseccomp's ARCH_SIZE_32
        // Group the rules by syscall number, keeping profile order (of first appearance, and within a syscall).
        var order = new List<int>();
        var byNr = new Dictionary<int, List<Rule>>();
        foreach (var (name, rule) in all)
        {
            if (rule.Action == defaultAction) continue; // redundant (runc skips these too)
            if (!SyscallTable.TryGetNumber(arch, name, out int nr)) continue;
            if (!byNr.TryGetValue(nr, out var list))
            {
                byNr[nr] = list = [];
                order.Add(nr);
            }
            list.Add(rule);
        }

        // Syscalls whose first rule is unconditional share one "ret action" per action.
        var shared = new Dictionary<uint, BpfAssembler.Label>();
        var blocks = new List<(BpfAssembler.Label Label, List<Rule> Rules)>();
        foreach (int nr in order)
        {
            var rules = byNr[nr];
            BpfAssembler.Label target;
            if (rules[0].Args.Length == 0)
            {
                if (!shared.TryGetValue(rules[0].Action, out target)) shared[rules[0].Action] = target = asm.NewLabel();
            }
            else
            {
                target = asm.NewLabel();
                blocks.Add((target, rules));
            }
            asm.JumpIf(Bpf.JEQ, unchecked((uint)nr), target, null);
        }
        asm.Ret(defaultAction);

        foreach (var (action, label) in shared)
        {
            asm.Bind(label);
            asm.Ret(action);
        }
        foreach (var (label, rules) in blocks)
        {
            asm.Bind(label);
            bool unconditional = false;
            foreach (var rule in rules)
            {
                if (rule.Args.Length == 0)
                {
                    asm.Ret(rule.Action);
                    unconditional = true;
                    break; // later rules for this syscall are unreachable
                }
                var fail = asm.NewLabel();
                foreach (var check in rule.Args)
                {
                    if (args32) EmitCheck32(asm, check, fail);
                    else EmitCheck(asm, check, fail);
                }
                asm.Ret(rule.Action);
                asm.Bind(fail);
            }
            if (!unconditional) asm.Ret(defaultAction);
        }
    }

    /// <summary>
    /// The 32-bit ABIs: falls through when the comparison of the low words holds (arg, value and valueTwo truncated
    /// to 32 bits), jumps to <paramref name="fail"/> when not. Never loads the high word. Clobbers A.
    /// </summary>
    private static void EmitCheck32(BpfAssembler asm, ArgCheck c, BpfAssembler.Label fail)
    {
        uint lo = (uint)c.Value;
        asm.LoadAbsolute(SeccompData.ArgLow(c.Index));
        switch (c.Op)
        {
            case CmpOp.Eq: asm.JumpIf(Bpf.JEQ, lo, null, fail); break;
            case CmpOp.Ne: asm.JumpIf(Bpf.JEQ, lo, fail, null); break;
            case CmpOp.Gt: asm.JumpIf(Bpf.JGT, lo, null, fail); break;
            case CmpOp.Ge: asm.JumpIf(Bpf.JGE, lo, null, fail); break;
            case CmpOp.Lt: asm.JumpIf(Bpf.JGE, lo, fail, null); break;
            case CmpOp.Le: asm.JumpIf(Bpf.JGT, lo, fail, null); break;
            case CmpOp.MaskedEq:
                asm.And(lo);
                asm.JumpIf(Bpf.JEQ, (uint)c.ValueTwo, null, fail);
                break;
        }
    }

    /// <summary>Falls through when the 64-bit comparison holds, jumps to <paramref name="fail"/> when not. Clobbers A.</summary>
    private static void EmitCheck(BpfAssembler asm, ArgCheck c, BpfAssembler.Label fail)
    {
        uint hi = (uint)(c.Value >> 32), lo = (uint)c.Value;
        uint hiOff = SeccompData.ArgHigh(c.Index), loOff = SeccompData.ArgLow(c.Index);
        var pass = asm.NewLabel();
        switch (c.Op)
        {
            case CmpOp.Eq:
                asm.LoadAbsolute(hiOff);
                asm.JumpIf(Bpf.JEQ, hi, null, fail);
                asm.LoadAbsolute(loOff);
                asm.JumpIf(Bpf.JEQ, lo, null, fail);
                break;
            case CmpOp.Ne:
                asm.LoadAbsolute(hiOff);
                asm.JumpIf(Bpf.JEQ, hi, null, pass);
                asm.LoadAbsolute(loOff);
                asm.JumpIf(Bpf.JEQ, lo, fail, null);
                break;
            case CmpOp.Gt: // hi > vhi, or hi == vhi and lo > vlo
            case CmpOp.Ge:
                asm.LoadAbsolute(hiOff);
                asm.JumpIf(Bpf.JGT, hi, pass, null);
                asm.JumpIf(Bpf.JEQ, hi, null, fail);
                asm.LoadAbsolute(loOff);
                asm.JumpIf(c.Op == CmpOp.Gt ? Bpf.JGT : Bpf.JGE, lo, null, fail);
                break;
            case CmpOp.Lt: // hi < vhi, or hi == vhi and lo < vlo
            case CmpOp.Le:
                asm.LoadAbsolute(hiOff);
                asm.JumpIf(Bpf.JGT, hi, fail, null);
                asm.JumpIf(Bpf.JEQ, hi, null, pass);
                asm.LoadAbsolute(loOff);
                asm.JumpIf(c.Op == CmpOp.Lt ? Bpf.JGE : Bpf.JGT, lo, fail, null);
                break;
            case CmpOp.MaskedEq:
            {
                uint mhi = (uint)(c.Value >> 32), mlo = (uint)c.Value;
                uint dhi = (uint)(c.ValueTwo >> 32), dlo = (uint)c.ValueTwo;
                asm.LoadAbsolute(hiOff);
                asm.And(mhi);
                asm.JumpIf(Bpf.JEQ, dhi, null, fail);
                asm.LoadAbsolute(loOff);
                asm.And(mlo);
                asm.JumpIf(Bpf.JEQ, dlo, null, fail);
                break;
            }
        }
        asm.Bind(pass);
    }
}
