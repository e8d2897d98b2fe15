namespace Carton.Linux.Cgroups.Devices;

/// <summary>
/// A minimal eBPF assembler for the instructions the device filter needs: 32-bit context loads, 32-bit AND/RSH,
/// MOV of an immediate, conditional jumps against an immediate (JEQ/JNE/JSET, 64- or 32-bit compare), JA and EXIT.
/// Jumps target labels (<see cref="DefineLabel"/>/<see cref="Mark"/>); <see cref="Build"/> resolves them into the
/// relative offsets the kernel expects (target = pc + 1 + off) and rejects unbound labels and backward jumps (the
/// verifier would reject a loop anyway, and the filter never needs one).
/// </summary>
public sealed class BpfAssembler
{
    /// <summary>An opaque jump target.</summary>
    public readonly record struct Label(int Id);

    private readonly List<BpfInstruction> _code = [];
    private readonly List<int> _labelPositions = [];
    private readonly List<(int Index, int Label)> _fixups = [];

    public int Count => _code.Count;

    public Label DefineLabel()
    {
        _labelPositions.Add(-1);
        return new Label(_labelPositions.Count - 1);
    }

    /// <summary>Binds <paramref name="label"/> to the next instruction emitted.</summary>
    public BpfAssembler Mark(Label label)
    {
        if (_labelPositions[label.Id] >= 0) throw new InvalidOperationException($"eBPF label {label.Id} is already bound");
        _labelPositions[label.Id] = _code.Count;
        return this;
    }

    /// <summary><c>dst = *(u32 *)(src + offset)</c> (BPF_LDX | BPF_MEM | BPF_W); zero-extends into the 64-bit register.</summary>
    public BpfAssembler LoadWord(int dst, int src, short offset) => Emit(new(Bpf.LDX | Bpf.MEM | Bpf.W, dst, src, offset, 0));

    /// <summary><c>w_dst &amp;= imm</c> (32-bit ALU; clears the upper half of the register).</summary>
    public BpfAssembler And32(int dst, int imm) => Emit(new(Bpf.ALU | Bpf.AND | Bpf.K, dst, 0, 0, imm));

    /// <summary><c>w_dst &gt;&gt;= imm</c> (32-bit logical shift right).</summary>
    public BpfAssembler Rsh32(int dst, int imm)
    {
        if ((uint)imm > 31) throw new ArgumentOutOfRangeException(nameof(imm), imm, "32-bit shift count must be 0..31");
        return Emit(new(Bpf.ALU | Bpf.RSH | Bpf.K, dst, 0, 0, imm));
    }

    /// <summary><c>w_dst = imm</c> (32-bit move; the upper half becomes zero).</summary>
    public BpfAssembler Mov32(int dst, int imm) => Emit(new(Bpf.ALU | Bpf.MOV | Bpf.K, dst, 0, 0, imm));

    /// <summary><c>r_dst = imm</c> (64-bit move; imm is sign-extended).</summary>
    public BpfAssembler Mov64(int dst, int imm) => Emit(new(Bpf.ALU64 | Bpf.MOV | Bpf.K, dst, 0, 0, imm));

    /// <summary><c>if r_dst == imm goto target</c> (64-bit compare, imm sign-extended).</summary>
    public BpfAssembler JumpIfEqual(int dst, int imm, Label target) => EmitJump(Bpf.JMP | Bpf.JEQ | Bpf.K, dst, imm, target);

    /// <summary><c>if r_dst != imm goto target</c> (64-bit compare, imm sign-extended).</summary>
    public BpfAssembler JumpIfNotEqual(int dst, int imm, Label target) => EmitJump(Bpf.JMP | Bpf.JNE | Bpf.K, dst, imm, target);

    /// <summary><c>if w_dst != imm goto target</c> (BPF_JMP32: compares the low 32 bits only; kernel 5.1+).</summary>
    public BpfAssembler JumpIfNotEqual32(int dst, int imm, Label target) => EmitJump(Bpf.JMP32 | Bpf.JNE | Bpf.K, dst, imm, target);

    /// <summary><c>if r_dst &amp; imm goto target</c> (jumps when any of the bits is set).</summary>
    public BpfAssembler JumpIfSet(int dst, int imm, Label target) => EmitJump(Bpf.JMP | Bpf.JSET | Bpf.K, dst, imm, target);

    /// <summary><c>goto target</c>.</summary>
    public BpfAssembler Jump(Label target) => EmitJump(Bpf.JMP | Bpf.JA, 0, 0, target);

    /// <summary><c>exit</c>: returns r0.</summary>
    public BpfAssembler Exit() => Emit(new(Bpf.JMP | Bpf.EXIT, 0, 0, 0, 0));

    public BpfInstruction[] Build()
    {
        var result = _code.ToArray();
        foreach (var (index, label) in _fixups)
        {
            var target = _labelPositions[label];
            if (target < 0) throw new InvalidOperationException($"eBPF label {label} is never bound");
            if (target >= result.Length) throw new InvalidOperationException($"eBPF label {label} points past the last instruction");
            var offset = target - index - 1;
            if (offset < 0) throw new InvalidOperationException($"backward eBPF jump at instruction {index}");
            if (offset > short.MaxValue) throw new InvalidOperationException($"eBPF jump at instruction {index} is too far");
            result[index] = result[index].WithOffset((short)offset);
        }
        return result;
    }

    private BpfAssembler EmitJump(int opcode, int dst, int imm, Label target)
    {
        _fixups.Add((_code.Count, target.Id));
        return Emit(new((byte)opcode, dst, 0, 0, imm));
    }

    private BpfAssembler Emit(BpfInstruction instruction)
    {
        _code.Add(instruction);
        return this;
    }
}
