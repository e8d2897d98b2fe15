using System.Globalization;
using System.Runtime.InteropServices;

namespace Carton.Linux.Cgroups.Devices;

/// <summary>
/// One classic eBPF instruction, laid out exactly as the kernel's <c>struct bpf_insn</c> (8 bytes, little endian):
/// <c>u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm</c>. Only the single-slot forms are used (no LD_IMM64).
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 8)]
public readonly struct BpfInstruction : IEquatable<BpfInstruction>
{
    /// <summary>Class | size/op | mode/source bits, see <see cref="Bpf"/>.</summary>
    public readonly byte Opcode;
    /// <summary>dst_reg in the low nibble, src_reg in the high nibble.</summary>
    public readonly byte Registers;
    public readonly short Offset;
    public readonly int Immediate;

    public BpfInstruction(byte opcode, int dst, int src, short offset, int immediate)
    {
        if ((uint)dst > 10) throw new ArgumentOutOfRangeException(nameof(dst), dst, "eBPF registers are r0..r10");
        if ((uint)src > 10) throw new ArgumentOutOfRangeException(nameof(src), src, "eBPF registers are r0..r10");
        Opcode = opcode;
        Registers = (byte)(dst | (src << 4));
        Offset = offset;
        Immediate = immediate;
    }

    public int Dst => Registers & 0x0F;
    public int Src => Registers >> 4;
    public byte Class => (byte)(Opcode & 0x07);

    /// <summary>Returns a copy with a different jump offset (used by the assembler to resolve labels).</summary>
    public BpfInstruction WithOffset(short offset) => new(Opcode, Dst, Src, offset, Immediate);

    public bool Equals(BpfInstruction other) =>
        Opcode == other.Opcode && Registers == other.Registers && Offset == other.Offset && Immediate == other.Immediate;

    public override bool Equals(object? obj) => obj is BpfInstruction other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Opcode, Registers, Offset, Immediate);
    public static bool operator ==(BpfInstruction a, BpfInstruction b) => a.Equals(b);
    public static bool operator !=(BpfInstruction a, BpfInstruction b) => !a.Equals(b);

    /// <summary>A bpftool-like rendering, for test failures and debugging.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var cls = Class;
        switch (cls)
        {
            case Bpf.LDX when (Opcode & 0xE0) == Bpf.MEM:
                return string.Format(inv, "r{0} = *(u{1} *)(r{2} {3:+0;-0})", Dst, SizeBits(Opcode & 0x18), Src, Offset);
            case Bpf.ALU or Bpf.ALU64:
                {
                    var reg = cls == Bpf.ALU ? "w" : "r";
                    var op = (Opcode & 0xF0) switch
                    {
                        Bpf.ADD => "+=", Bpf.SUB => "-=", Bpf.AND => "&=", Bpf.OR => "|=", Bpf.LSH => "<<=",
                        Bpf.RSH => ">>=", Bpf.XOR => "^=", Bpf.MOV => "=", _ => "?op?",
                    };
                    var operand = (Opcode & Bpf.X) != 0 ? reg + Src.ToString(inv) : ImmText();
                    return $"{reg}{Dst} {op} {operand}";
                }
            case Bpf.JMP or Bpf.JMP32:
                {
                    var op = Opcode & 0xF0;
                    if (cls == Bpf.JMP && op == Bpf.EXIT) return "exit";
                    if (cls == Bpf.JMP && op == Bpf.JA) return string.Format(inv, "goto {0:+0;-0}", Offset);
                    var reg = cls == Bpf.JMP32 ? "w" : "r";
                    var cmp = op switch { Bpf.JEQ => "==", Bpf.JNE => "!=", Bpf.JSET => "&", _ => "?cmp?" };
                    var operand = (Opcode & Bpf.X) != 0 ? reg + Src.ToString(inv) : ImmText();
                    return string.Format(inv, "if {0}{1} {2} {3} goto {4:+0;-0}", reg, Dst, cmp, operand, Offset);
                }
            default:
                return string.Format(inv, "opcode 0x{0:x2} dst=r{1} src=r{2} off={3} imm={4}", Opcode, Dst, Src, Offset, Immediate);
        }
    }

    private string ImmText() => "0x" + ((uint)Immediate).ToString("x", CultureInfo.InvariantCulture);

    private static int SizeBits(int size) => size switch { Bpf.W => 32, Bpf.H => 16, Bpf.B => 8, _ => 64 };
}

/// <summary>eBPF opcode pieces (include/uapi/linux/bpf_common.h and bpf.h) used by <see cref="BpfAssembler"/>.</summary>
public static class Bpf
{
    // Instruction classes (low 3 bits).
    public const byte LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
    // Load/store sizes and modes.
    public const byte W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    public const byte IMM = 0x00, MEM = 0x60;
    // Operand source.
    public const byte K = 0x00, X = 0x08;
    // ALU operations.
    public const byte ADD = 0x00, SUB = 0x10, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70, XOR = 0xA0, MOV = 0xB0;
    // Jump operations.
    public const byte JA = 0x00, JEQ = 0x10, JSET = 0x40, JNE = 0x50, EXIT = 0x90;

    // Registers: r0 return value, r1 context pointer on entry, r10 read-only frame pointer.
    public const int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R10 = 10;
}
