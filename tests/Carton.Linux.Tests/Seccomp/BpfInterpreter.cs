using Carton.Linux.Seccomp;

namespace Carton.Linux.Tests.Seccomp;

/// <summary>struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed record SeccompDataInput(int Nr, uint Arch, ulong[] Args, ulong InstructionPointer = 0)
{
    public static SeccompDataInput X86_64(int nr, params ulong[] args) => new(nr, SeccompReturn.AuditArchX86_64, Pad(args));
    public static SeccompDataInput X86(int nr, params ulong[] args) => new(nr, SeccompReturn.AuditArchI386, Pad(args));
    public static SeccompDataInput X32(int nr, params ulong[] args) => new(nr, SeccompReturn.AuditArchX86_64, Pad(args));

    private static ulong[] Pad(ulong[] args)
    {
        var a = new ulong[6];
        args.CopyTo(a, 0);
        return a;
    }

    public uint Word(uint offset)
    {
        if (offset % 4 != 0 || offset >= SeccompData.Size) throw new InvalidOperationException($"bad load offset {offset}");
        return offset switch
        {
            0 => unchecked((uint)Nr),
            4 => Arch,
            8 => (uint)InstructionPointer,
            12 => (uint)(InstructionPointer >> 32),
            _ => (offset - 16) % 8 == 0 ? (uint)Args[(offset - 16) / 8] : (uint)(Args[(offset - 16) / 8] >> 32),
        };
    }
}

/// <summary>
/// A classic BPF interpreter restricted to what seccomp accepts (seccomp_check_filter): it first verifies the
/// program like the kernel (length 1..4096, jumps in range, ends in a return, aligned loads within seccomp_data),
/// then runs it over one seccomp_data.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class BpfInterpreter
{
    public static void Verify(SockFilter[] program)
    {
        if (program.Length is 0 or > Bpf.MaxInstructions) throw new InvalidOperationException($"length {program.Length}");
        for (int pc = 0; pc < program.Length; pc++)
        {
            var i = program[pc];
            switch (i.Code)
            {
                case Bpf.LD | Bpf.W | Bpf.ABS:
                    if (i.K % 4 != 0 || i.K >= SeccompData.Size) throw new InvalidOperationException($"pc {pc}: bad load {i.K}");
                    break;
                case Bpf.ALU | Bpf.AND | Bpf.K:
                case Bpf.RET | Bpf.K:
                    break;
                case Bpf.JMP | Bpf.JA:
                    if ((long)pc + 1 + i.K >= program.Length) throw new InvalidOperationException($"pc {pc}: ja out of range");
                    break;
                case Bpf.JMP | Bpf.JEQ | Bpf.K:
                case Bpf.JMP | Bpf.JGT | Bpf.K:
                case Bpf.JMP | Bpf.JGE | Bpf.K:
                case Bpf.JMP | Bpf.JSET | Bpf.K:
                    if (pc + 1 + i.Jt >= program.Length || pc + 1 + i.Jf >= program.Length)
                        throw new InvalidOperationException($"pc {pc}: jump out of range");
                    break;
                default:
                    throw new InvalidOperationException($"pc {pc}: unsupported opcode 0x{i.Code:x}");
            }
        }
        if (program[^1].Code != (Bpf.RET | Bpf.K)) throw new InvalidOperationException("program does not end in ret");
    }

    /// <summary>Runs the program; returns the SECCOMP_RET_* value. <paramref name="steps"/>: instructions executed.</summary>
    public static uint Run(SockFilter[] program, SeccompDataInput data) => Run(program, data, out _);

    public static uint Run(SockFilter[] program, SeccompDataInput data, out int steps) => Run(program, data, out steps, null);

    /// <summary>Runs the program; <paramref name="onLoad"/> sees the seccomp_data offset of every load.</summary>
    public static uint Run(SockFilter[] program, SeccompDataInput data, out int steps, Action<uint>? onLoad)
    {
        Verify(program);
        uint a = 0;
        int pc = 0;
        steps = 0;
        while (true)
        {
            var i = program[pc];
            steps++;
            switch (i.Code)
            {
                case Bpf.LD | Bpf.W | Bpf.ABS: onLoad?.Invoke(i.K); a = data.Word(i.K); pc++; break;
                case Bpf.ALU | Bpf.AND | Bpf.K: a &= i.K; pc++; break;
                case Bpf.RET | Bpf.K: return i.K;
                case Bpf.JMP | Bpf.JA: pc += 1 + (int)i.K; break;
                case Bpf.JMP | Bpf.JEQ | Bpf.K: pc += 1 + (a == i.K ? i.Jt : i.Jf); break;
                case Bpf.JMP | Bpf.JGT | Bpf.K: pc += 1 + (a > i.K ? i.Jt : i.Jf); break;
                case Bpf.JMP | Bpf.JGE | Bpf.K: pc += 1 + (a >= i.K ? i.Jt : i.Jf); break;
                case Bpf.JMP | Bpf.JSET | Bpf.K: pc += 1 + ((a & i.K) != 0 ? i.Jt : i.Jf); break;
                default: throw new InvalidOperationException($"pc {pc}: opcode 0x{i.Code:x}");
            }
        }
    }
}
