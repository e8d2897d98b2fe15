using Carton.Oci;

namespace Carton.Linux.Cgroups.Devices;

/// <summary>
/// Turns an OCI device rule list into a BPF_PROG_TYPE_CGROUP_DEVICE program, as runc's devicefilter does: the list is
/// first normalized through the cgroup v1 model (<see cref="DeviceRuleSet"/>), which leaves a default verdict and a
/// set of exceptions that all carry the opposite verdict, so the program simply tests the exceptions one after the
/// other and returns the opposite verdict on the first match, or the default when none matches.
/// <para>
/// Context (<c>struct bpf_cgroup_dev_ctx</c>): <c>u32 access_type</c> at 0 (low 16 bits: BPF_DEVCG_DEV_BLOCK=1 or
/// BPF_DEVCG_DEV_CHAR=2; high 16 bits: BPF_DEVCG_ACC_MKNOD=1 | READ=2 | WRITE=4), <c>u32 major</c> at 4,
/// <c>u32 minor</c> at 8. The program returns 1 to allow and 0 to deny.
/// </para>
/// <code>
///   r2 = type, r3 = access, r4 = major, r5 = minor
/// block i:                                   (one per exception)
///   if r2 != TYPE goto block i+1
///   default deny:  if r3 &amp; ~ACCESS goto block i+1          (every requested bit must be granted)
///   default allow: if r3 &amp; ACCESS goto +1; goto block i+1  (any requested bit is denied)
///   if r4 != MAJOR goto block i+1            (omitted for a wildcard)
///   if r5 != MINOR goto block i+1            (omitted for a wildcard)
///   r0 = !DEFAULT; exit
/// last block:
///   r0 = DEFAULT; exit
/// </code>
/// The access tests match the kernel's v1 checks exactly (match_exception / match_exception_partial); runc uses the
/// subset test for both, which lets an "rw" open through a default-allow list that denies only "w".
/// </summary>
public static class DeviceFilterCompiler
{
    public const int BPF_DEVCG_DEV_BLOCK = 1, BPF_DEVCG_DEV_CHAR = 2;
    public const int BPF_DEVCG_ACC_MKNOD = 1, BPF_DEVCG_ACC_READ = 2, BPF_DEVCG_ACC_WRITE = 4;

    /// <summary>Validates, normalizes and compiles <paramref name="rules"/>. Throws <see cref="CgroupException"/> for an invalid entry.</summary>
    public static BpfInstruction[] Compile(IReadOnlyList<LinuxDeviceCgroup> rules) => Compile(DeviceRuleSet.FromRules(rules));

    public static BpfInstruction[] Compile(DeviceRuleSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var asm = new BpfAssembler();
        asm.LoadWord(Bpf.R2, Bpf.R1, 0).And32(Bpf.R2, 0xFFFF)
           .LoadWord(Bpf.R3, Bpf.R1, 0).Rsh32(Bpf.R3, 16)
           .LoadWord(Bpf.R4, Bpf.R1, 4)
           .LoadWord(Bpf.R5, Bpf.R1, 8);

        var match = set.DefaultAllow ? 0 : 1;
        foreach (var ex in set.Exceptions)
        {
            var next = asm.DefineLabel();
            asm.JumpIfNotEqual(Bpf.R2, ex.Type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, next);
            if (set.DefaultAllow)
            {
                var intersects = asm.DefineLabel();
                asm.JumpIfSet(Bpf.R3, (int)ex.Access, intersects).Jump(next).Mark(intersects);
            }
            else
            {
                // Every bit outside the granted ones (within the 16-bit access field) disqualifies the exception.
                asm.JumpIfSet(Bpf.R3, ~(int)ex.Access & 0xFFFF, next);
            }
            if (ex.Major >= 0) CompareNumber(asm, Bpf.R4, ex.Major, next);
            if (ex.Minor >= 0) CompareNumber(asm, Bpf.R5, ex.Minor, next);
            asm.Mov32(Bpf.R0, match).Exit();
            asm.Mark(next);
        }
        asm.Mov32(Bpf.R0, set.DefaultAllow ? 1 : 0).Exit();
        return asm.Build();
    }

    private static void CompareNumber(BpfAssembler asm, int register, long value, BpfAssembler.Label next)
    {
        // The register holds a zero-extended u32; a 64-bit compare sign-extends the immediate, so values with bit 31
        // set need the 32-bit compare (BPF_JMP32). Real majors and minors are far below that, so the portable form is
        // what is normally emitted.
        if (value <= int.MaxValue) asm.JumpIfNotEqual(register, (int)value, next);
        else asm.JumpIfNotEqual32(register, unchecked((int)(uint)value), next);
    }
}
