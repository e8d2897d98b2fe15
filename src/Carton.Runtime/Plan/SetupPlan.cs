using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Carton.Linux.Interop;

namespace Carton.Runtime.Plan;

/// <summary>One operand of a plan operation: a number, or a reference into the plan's data section (a string, a
/// list of strings, a blob) kept with its text for <c>carton debug plan</c>.</summary>
public readonly record struct Operand(long Value, bool IsReference = false, string? Text = null)
{
    public static implicit operator Operand(long v) => new(v);
    public static implicit operator Operand(int v) => new(v);
    public static implicit operator Operand(ulong v) => new(unchecked((long)v));
    public static implicit operator Operand(uint v) => new(v);
    public static implicit operator Operand(bool v) => new(v ? 1 : 0);

    public static readonly Operand None = new(0);
    /// <summary>No fd slot (or AT_FDCWD where a directory is expected).</summary>
    public static readonly Operand NoSlot = new(-1);

    public override string ToString() => Text ?? Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One step of a plan with what C# knows about it: the message its failure becomes.</summary>
/// <param name="What">the operation and the config's JSON path, e.g. "mounts[2] (/proc): mount proc at /proc".</param>
/// <param name="Explain">a message for a particular errno (0 is a failed check), or null for "{What}: {errno}".</param>
public sealed record PlanOperation(PlanCode Code, PlanFlags Flags, Operand[] Args, string What, Func<int, string?>? Explain, Operand Message);

/// <summary>
/// A setup plan (docs/architecture.md "The setup plan"): the flat list of primitive operations that turns a config
/// into a running container, compiled by <see cref="PlanCompiler"/> and run by carton-dmz. Built here, encoded as
/// native/carton_plan.h lays it out, and kept by the parent to turn a failure (operation index, errno) back into a
/// message that names the config's field.
/// </summary>
public sealed class SetupPlan
{
    public const uint Magic = 0x4e4c5043; // "CPLN"
    public const uint Version = 1;
    public const int Slots = 64;
    public const int HeaderSize = 16;
    public const int OperationSize = 8 + 8 * 8;

    private readonly List<PlanOperation> _ops = [];
    private readonly List<byte> _data = [0]; // offset 0 is "none"
    private readonly Stack<int> _freeSlots = new(Enumerable.Range(0, Slots).Reverse());
    private bool _ready;

    public IReadOnlyList<PlanOperation> Operations => _ops;

    /// <summary>Adds an operation. After <see cref="PlanReport.Ready"/> the parent is gone: the message a failure
    /// prints (on the container's stderr) travels in the plan.</summary>
    public int Add(PlanCode code, PlanFlags flags, string what, params Operand[] args) => Add(code, flags, what, null, args);

    public int Add(PlanCode code, PlanFlags flags, string what, Func<int, string?>? explain, params Operand[] args)
    {
        if (args.Length > 8) throw new ArgumentException("a plan operation takes at most 8 operands", nameof(args));
        var padded = new Operand[8];
        args.CopyTo(padded, 0);
        for (int i = args.Length; i < 8; i++) padded[i] = Operand.None;
        _ops.Add(new PlanOperation(code, flags, padded, what, explain, _ready ? String("carton: " + what) : Operand.None));
        if (code == PlanCode.Sync && args.Length > 0 && args[0].Value == (long)PlanReport.Ready) _ready = true;
        return _ops.Count - 1;
    }

    /// <summary>A free fd slot of the executor's table.</summary>
    public int NewSlot() => _freeSlots.Count > 0 ? _freeSlots.Pop() : throw new InvalidOperationException("setup plan: more than 64 fds open at once");

    /// <summary>Closes the slot in the executor and frees it for reuse.</summary>
    public void Close(int slot, string what)
    {
        Add(PlanCode.Close, PlanFlags.None, what, slot);
        _freeSlots.Push(slot);
    }

    /// <summary>A NUL-terminated string in the data section (null: the "none" operand).</summary>
    public Operand String(string? s)
    {
        if (s is null) return Operand.None;
        if (s.Contains('\0')) throw new RuntimeError($"setup plan: a string holds a NUL byte: {s.Replace("\0", "\\0", StringComparison.Ordinal)}");
        int off = _data.Count;
        _data.AddRange(Encoding.UTF8.GetBytes(s));
        _data.Add(0);
        return new Operand(off, true, "\"" + s + "\"");
    }

    /// <summary>A list of strings: { u32 n; u32 offsets[n]; }.</summary>
    public Operand List(IReadOnlyList<string> items)
    {
        var offsets = items.Select(i => (uint)String(i).Value).ToList();
        Align(4);
        int off = _data.Count;
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)offsets.Count);
        _data.AddRange(word.ToArray());
        foreach (var o in offsets)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, o);
            _data.AddRange(word.ToArray());
        }
        return new Operand(off, true, "[" + string.Join(", ", items.Select(i => "\"" + i + "\"")) + "]");
    }

    /// <summary>Raw bytes, 8-aligned (a seccomp program, a gid array).</summary>
    public Operand Blob(byte[] bytes, string text)
    {
        Align(8);
        int off = _data.Count;
        _data.AddRange(bytes);
        return new Operand(off, true, text);
    }

    private void Align(int n)
    {
        while (_data.Count % n != 0) _data.Add(0);
    }

    /// <summary>The plan as carton-dmz reads it.</summary>
    public byte[] Encode()
    {
        int dataStart = HeaderSize + _ops.Count * OperationSize;
        int size = dataStart + _data.Count + 1; // the data section ends with a NUL byte
        var buf = new byte[size];
        var span = buf.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)_ops.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)size);
        for (int i = 0; i < _ops.Count; i++)
        {
            var o = _ops[i];
            var rec = span.Slice(HeaderSize + i * OperationSize, OperationSize);
            BinaryPrimitives.WriteUInt16LittleEndian(rec, (ushort)o.Code);
            BinaryPrimitives.WriteUInt16LittleEndian(rec[2..], (ushort)o.Flags);
            BinaryPrimitives.WriteUInt32LittleEndian(rec[4..], (uint)o.Message.Value);
            for (int a = 0; a < 8; a++) BinaryPrimitives.WriteInt64LittleEndian(rec[(8 + 8 * a)..], o.Args[a].Value);
        }
        _data.CopyTo(buf, dataStart);
        return buf;
    }

    /// <summary>The message for a failure the executor reported: the operation's JSON path and what it did.</summary>
    public string Describe(int index, int errno)
    {
        if (index < 0 || index >= _ops.Count) return $"container init failed at setup step {index}: {Errno.Describe(errno)}";
        var op = _ops[index];
        if (op.Explain?.Invoke(errno) is { } special) return special;
        return errno == 0 ? op.What : $"{op.What}: {Errno.Describe(errno)}";
    }

    /// <summary>The plan for a human (<c>carton debug plan</c>): one operation a line, with its operands and purpose.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < _ops.Count; i++)
        {
            var o = _ops[i];
            int last = Array.FindLastIndex(o.Args, a => a.Value != 0 || a.IsReference);
            sb.Append(CultureInfo.InvariantCulture, $"{i,3} {o.Code,-14}");
            if (o.Flags != PlanFlags.None) sb.Append(CultureInfo.InvariantCulture, $" [{o.Flags}]");
            for (int a = 0; a <= last; a++) sb.Append(' ').Append(o.Args[a].ToString());
            sb.Append("   # ").Append(o.What).Append('\n');
        }
        return sb.ToString();
    }
}
