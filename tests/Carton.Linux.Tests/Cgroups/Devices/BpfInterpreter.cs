using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Devices;

namespace Carton.Linux.Tests.Cgroups.Devices;

/// <summary>
/// Executes the eBPF subset the device filter uses over a <c>struct bpf_cgroup_dev_ctx</c> (three u32s), with the
/// kernel's semantics: 32-bit ALU results are zero-extended, 64-bit immediates are sign-extended, JMP compares all 64
/// bits and JMP32 the low 32. Anything else (unknown opcode, a load that is not a 4-byte read of the context at 0, 4 or
/// 8 through r1, reading an uninitialized register, a jump out of range or backwards, falling off the end) throws, so
/// a program that passes here is also shaped the way the verifier wants.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class BpfInterpreter
{
    public static int Run(BpfInstruction[] program, uint accessType, uint major, uint minor)
    {
        var ctx = new[] { accessType, major, minor };
        var regs = new ulong[11];
        var init = new bool[11];
        // r1 points to the context; modelled as a tag, only usable as the base of a context load.
        const int CtxReg = 1;
        var r1IsCtx = true;
        init[CtxReg] = true;
        init[10] = true;

        ulong Read(int r)
        {
            if (!init[r]) throw new InvalidOperationException($"read of uninitialized r{r}");
            if (r == CtxReg && r1IsCtx) throw new InvalidOperationException("arithmetic on the context pointer");
            return regs[r];
        }
        void Write(int r, ulong v)
        {
            if (r == 10) throw new InvalidOperationException("write to r10");
            regs[r] = v;
            init[r] = true;
            if (r == CtxReg) r1IsCtx = false;
        }

        var pc = 0;
        for (var steps = 0; steps < 100_000; steps++)
        {
            if ((uint)pc >= (uint)program.Length) throw new InvalidOperationException($"pc {pc} out of range");
            var insn = program[pc];
            var op = insn.Opcode;
            switch (insn.Class)
            {
                case Bpf.LDX:
                    {
                        if (op != (Bpf.LDX | Bpf.MEM | Bpf.W)) throw Bad(insn, pc);
                        if (insn.Src != CtxReg || !r1IsCtx) throw new InvalidOperationException($"load at {pc} is not from the context");
                        if (insn.Offset is not (0 or 4 or 8)) throw new InvalidOperationException($"context load at bad offset {insn.Offset}");
                        Write(insn.Dst, ctx[insn.Offset / 4]);
                        pc++;
                        break;
                    }
                case Bpf.ALU or Bpf.ALU64:
                    {
                        if ((op & Bpf.X) != 0) throw Bad(insn, pc);
                        var is64 = insn.Class == Bpf.ALU64;
                        var imm = is64 ? (ulong)(long)insn.Immediate : (uint)insn.Immediate;
                        ulong result;
                        switch (op & 0xF0)
                        {
                            case Bpf.MOV: result = imm; break;
                            case Bpf.AND: result = Read(insn.Dst) & imm; break;
                            case Bpf.RSH:
                                result = is64 ? Read(insn.Dst) >> (int)(imm & 63) : (uint)Read(insn.Dst) >> (int)(imm & 31);
                                break;
                            default: throw Bad(insn, pc);
                        }
                        Write(insn.Dst, is64 ? result : (uint)result);
                        pc++;
                        break;
                    }
                case Bpf.JMP or Bpf.JMP32:
                    {
                        var jop = op & 0xF0;
                        if (insn.Class == Bpf.JMP && jop == Bpf.EXIT)
                        {
                            if (op != (Bpf.JMP | Bpf.EXIT)) throw Bad(insn, pc);
                            var r0 = Read(0);
                            if (r0 > 1) throw new InvalidOperationException($"cgroup device program returned {r0}");
                            return (int)r0;
                        }
                        if ((op & Bpf.X) != 0) throw Bad(insn, pc);
                        bool taken;
                        if (jop == Bpf.JA && insn.Class == Bpf.JMP)
                        {
                            taken = true;
                        }
                        else
                        {
                            var is32 = insn.Class == Bpf.JMP32;
                            var lhs = is32 ? (uint)Read(insn.Dst) : Read(insn.Dst);
                            var rhs = is32 ? (uint)insn.Immediate : (ulong)(long)insn.Immediate;
                            taken = jop switch
                            {
                                Bpf.JEQ => lhs == rhs,
                                Bpf.JNE => lhs != rhs,
                                Bpf.JSET => (lhs & rhs) != 0,
                                _ => throw Bad(insn, pc),
                            };
                        }
                        if (insn.Offset < 0) throw new InvalidOperationException($"backward jump at {pc}");
                        pc += 1 + (taken ? insn.Offset : 0);
                        break;
                    }
                default:
                    throw Bad(insn, pc);
            }
        }
        throw new InvalidOperationException("program did not terminate");
    }

    /// <summary>Convenience: builds access_type from a device type ('b'/'c') and access bits.</summary>
    public static int Run(BpfInstruction[] program, char type, uint major, uint minor, DeviceAccess access) =>
        Run(program, ((uint)access << 16) | (type == 'b' ? 1u : 2u), major, minor);

    private static InvalidOperationException Bad(BpfInstruction insn, int pc) => new($"unsupported instruction at {pc}: {insn}");
}
