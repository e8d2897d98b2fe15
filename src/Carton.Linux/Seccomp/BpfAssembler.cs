namespace Carton.Linux.Seccomp;

/// <summary>
/// Builds a classic BPF program with symbolic forward labels and resolves them. Conditional jumps only reach 255
/// instructions ahead (jt/jf are 8 bits), so a branch whose target is further away goes through a trampoline: an
/// unconditional <c>JA</c> (32-bit offset) placed right after the conditional jump (or a copy of the target when
/// that is a return). Trampolines are added until a
/// fixed point (adding one only lengthens other jumps, so the loop terminates).
/// </summary>
internal sealed class BpfAssembler
{
    /// <summary>A forward jump target; bound to the index of the next emitted item.</summary>
    public readonly record struct Label(int Id);

    private readonly record struct Item(ushort Code, uint K, int Jt, int Jf); // Jt/Jf: label ids, -1 = next item

    private readonly List<Item> _items = [];
    private readonly List<int> _labels = []; // label id → item index (-1 until bound)

    public int Count => _items.Count;

    public Label NewLabel()
    {
        _labels.Add(-1);
        return new Label(_labels.Count - 1);
    }

    public void Bind(Label label)
    {
        if (_labels[label.Id] != -1) throw new InvalidOperationException("label bound twice");
        _labels[label.Id] = _items.Count;
    }

    public void LoadAbsolute(uint offset) => _items.Add(new Item(Bpf.LD | Bpf.W | Bpf.ABS, offset, -1, -1));
    public void And(uint mask) => _items.Add(new Item(Bpf.ALU | Bpf.AND | Bpf.K, mask, -1, -1));
    public void Ret(uint value) => _items.Add(new Item(Bpf.RET | Bpf.K, value, -1, -1));
    public void Jump(Label target) => _items.Add(new Item(Bpf.JMP | Bpf.JA, 0, target.Id, -1));

    /// <summary>Conditional jump (<see cref="Bpf.JEQ"/>, <see cref="Bpf.JGT"/>, <see cref="Bpf.JGE"/>) on A op k; a null label means the next instruction.</summary>
    public void JumpIf(ushort op, uint k, Label? ifTrue, Label? ifFalse) =>
        _items.Add(new Item((ushort)(Bpf.JMP | op | Bpf.K), k, ifTrue?.Id ?? -1, ifFalse?.Id ?? -1));

    private static bool IsConditional(Item it) => (it.Code & 0x07) == Bpf.JMP && (it.Code & 0xf0) != Bpf.JA;
    private static bool IsJa(Item it) => it.Code == (Bpf.JMP | Bpf.JA);

    public SockFilter[] Assemble()
    {
        int n = _items.Count;
        foreach (var it in _items)
            foreach (int l in (ReadOnlySpan<int>)[it.Jt, it.Jf])
                if (l >= 0 && (_labels[l] < 0 || _labels[l] >= n)) throw new InvalidOperationException($"label {l} unbound or past the end");

        var tjt = new bool[n];
        var tjf = new bool[n];
        var pos = new int[n + 1];

        int TargetItem(int item, int label) => label < 0 ? item + 1 : _labels[label];
        int Target(int item, int label) => pos[TargetItem(item, label)];
        // A trampoline to a return is the return itself (same size, one instruction less at run time).
        SockFilter Trampoline(int item, int label, int slot) =>
            _items[TargetItem(item, label)] is { Code: Bpf.RET | Bpf.K } ret
                ? Bpf.Ret(ret.K)
                : new SockFilter(Bpf.JMP | Bpf.JA, 0, 0, (uint)(Target(item, label) - (slot + 1)));

        while (true)
        {
            int p = 0;
            for (int i = 0; i < n; i++)
            {
                pos[i] = p;
                p += 1 + (tjt[i] ? 1 : 0) + (tjf[i] ? 1 : 0);
            }
            pos[n] = p;

            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                var it = _items[i];
                if (IsJa(it))
                {
                    if (it.Jt >= 0 && _labels[it.Jt] <= i) throw new InvalidOperationException("backward jump");
                    continue;
                }
                if (!IsConditional(it)) continue;
                if ((it.Jt >= 0 && _labels[it.Jt] <= i) || (it.Jf >= 0 && _labels[it.Jf] <= i)) throw new InvalidOperationException("backward jump");
                if (!tjt[i] && Target(i, it.Jt) - (pos[i] + 1) > 255) { tjt[i] = true; changed = true; }
                if (!tjf[i] && Target(i, it.Jf) - (pos[i] + 1) > 255) { tjf[i] = true; changed = true; }
            }
            if (!changed) break;
        }

        var output = new SockFilter[pos[n]];
        for (int i = 0; i < n; i++)
        {
            var it = _items[i];
            int at = pos[i];
            if (IsJa(it))
            {
                output[at] = new SockFilter(it.Code, 0, 0, (uint)(Target(i, it.Jt) - (at + 1)));
            }
            else if (IsConditional(it))
            {
                int slot = at + 1;
                int jt, jf;
                if (tjt[i])
                {
                    jt = slot - (at + 1);
                    output[slot] = Trampoline(i, it.Jt, slot);
                    slot++;
                }
                else jt = Target(i, it.Jt) - (at + 1);
                if (tjf[i])
                {
                    jf = slot - (at + 1);
                    output[slot] = Trampoline(i, it.Jf, slot);
                    slot++;
                }
                else jf = Target(i, it.Jf) - (at + 1);
                if (jt is < 0 or > 255 || jf is < 0 or > 255) throw new InvalidOperationException("jump offset out of range");
                output[at] = new SockFilter(it.Code, (byte)jt, (byte)jf, it.K);
            }
            else
            {
                output[at] = new SockFilter(it.Code, 0, 0, it.K);
            }
        }
        return output;
    }
}
