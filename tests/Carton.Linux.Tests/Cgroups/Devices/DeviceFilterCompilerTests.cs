using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Devices;
using Carton.Oci;

namespace Carton.Linux.Tests.Cgroups.Devices;

/// <summary>
/// Runs the compiled device filters through <see cref="BpfInterpreter"/> and compares every verdict with
/// <see cref="V1Reference"/>, a direct model of the kernel's cgroup v1 device controller (the semantics runc's
/// emulator reproduces for v2), over a grid of device types, numbers and access combinations.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class DeviceFilterCompilerTests
{
    private const DeviceAccess R = DeviceAccess.Read, W = DeviceAccess.Write, M = DeviceAccess.Mknod, RW = R | W;

    private static LinuxDeviceCgroup Rule(bool allow, string? type, long? major, long? minor, string access) =>
        new() { Allow = allow, Type = type, Major = major, Minor = minor, Access = access };

    private static LinuxDeviceCgroup DenyAll() => Rule(false, "a", null, null, "rwm");
    private static LinuxDeviceCgroup AllowAll() => Rule(true, "a", null, null, "rwm");

    /// <summary>
    /// The kernel's v1 devcgroup, transliterated: a default behaviour plus an exception list; "a" resets both; an
    /// allow/deny that is the opposite of the default adds (merges) an exception with exactly its key, the same as the
    /// default removes bits from it. Allowed in default-deny iff one exception matches the device and holds all
    /// requested bits (match_exception); denied in default-allow iff one matches and holds any (match_exception_partial).
    /// </summary>
    private sealed class V1Reference
    {
        private bool _allow;
        private readonly List<(char T, long Maj, long Min, int Acc)> _ex = [];

        public V1Reference(IEnumerable<LinuxDeviceCgroup> rules)
        {
            foreach (var r in rules)
            {
                var t = string.IsNullOrEmpty(r.Type) ? 'a' : r.Type[0];
                var acc = (r.Access!.Contains('r') ? 2 : 0) | (r.Access.Contains('w') ? 4 : 0) | (r.Access.Contains('m') ? 1 : 0);
                if (t == 'a')
                {
                    _allow = r.Allow;
                    _ex.Clear();
                    continue;
                }
                var maj = r.Major ?? -1;
                var min = r.Minor ?? -1;
                var i = _ex.FindIndex(e => e.T == t && e.Maj == maj && e.Min == min);
                if (r.Allow != _allow)
                {
                    if (i < 0) _ex.Add((t, maj, min, acc));
                    else _ex[i] = _ex[i] with { Acc = _ex[i].Acc | acc };
                }
                else if (i >= 0)
                {
                    var left = _ex[i].Acc & ~acc;
                    if (left == 0) _ex.RemoveAt(i);
                    else _ex[i] = _ex[i] with { Acc = left };
                }
            }
        }

        public bool Allows(char type, uint major, uint minor, int access)
        {
            bool Matches((char T, long Maj, long Min, int Acc) e) =>
                e.T == type && (e.Maj < 0 || e.Maj == major) && (e.Min < 0 || e.Min == minor);
            return _allow
                ? !_ex.Any(e => Matches(e) && (access & e.Acc) != 0)
                : _ex.Any(e => Matches(e) && (access & ~e.Acc) == 0);
        }
    }

    private static readonly char[] Types = ['b', 'c'];
    private static readonly uint[] Majors = [0, 1, 5, 8, 10, 136, 254, 4095, 3_000_000_000];
    private static readonly uint[] Minors = [0, 2, 3, 5, 7, 8, 9, 200, 1_048_575, 3_000_000_000];

    /// <summary>Compiles and checks the program on the whole grid; returns it for extra assertions.</summary>
    private static BpfInstruction[] CompileAndCompare(IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        var program = DeviceFilterCompiler.Compile(rules);
        AssertAllReachable(program);
        var reference = new V1Reference(rules);
        var set = DeviceRuleSet.FromRules(rules);
        foreach (var type in Types)
        foreach (var major in Majors)
        foreach (var minor in Minors)
        for (var access = 0; access <= 7; access++)
        {
            var expected = reference.Allows(type, major, minor, access);
            var actual = BpfInterpreter.Run(program, type, major, minor, (DeviceAccess)access) == 1;
            if (expected != actual)
                Assert.Fail($"{type} {major}:{minor} access={access}: expected {(expected ? "allow" : "deny")}, program says {(actual ? "allow" : "deny")}\n{Dump(program)}");
            Assert.Equal(expected, set.IsAllowed(type, major, minor, (DeviceAccess)access));
        }
        return program;
    }

    private static bool Allows(BpfInstruction[] p, char type, uint major, uint minor, DeviceAccess access) =>
        BpfInterpreter.Run(p, type, major, minor, access) == 1;

    private static string Dump(BpfInstruction[] program) => string.Join("\n", program.Select((i, n) => $"{n,3}: {i}"));

    /// <summary>The verifier rejects programs with unreachable instructions; walk the control-flow graph.</summary>
    private static void AssertAllReachable(BpfInstruction[] program)
    {
        var seen = new bool[program.Length];
        var work = new Stack<int>([0]);
        while (work.Count > 0)
        {
            var pc = work.Pop();
            if (pc >= program.Length || seen[pc]) continue;
            seen[pc] = true;
            var insn = program[pc];
            if (insn.Class is Bpf.JMP or Bpf.JMP32)
            {
                var op = insn.Opcode & 0xF0;
                if (insn.Class == Bpf.JMP && op == Bpf.EXIT) continue;
                work.Push(pc + 1 + insn.Offset);
                if (!(insn.Class == Bpf.JMP && op == Bpf.JA)) work.Push(pc + 1);
            }
            else
            {
                work.Push(pc + 1);
            }
        }
        var unreachable = Enumerable.Range(0, program.Length).Where(i => !seen[i]).ToList();
        Assert.True(unreachable.Count == 0, $"unreachable instructions {string.Join(",", unreachable)}\n{Dump(program)}");
    }

    [Fact]
    public void InstructionIsEightBytesWithKernelLayout()
    {
        Assert.Equal(8, Unsafe.SizeOf<BpfInstruction>());
        var insn = new BpfInstruction(Bpf.JMP | Bpf.JNE | Bpf.K, 4, 1, 0x1234, -2);
        var bytes = MemoryMarshal.AsBytes(new[] { insn }.AsSpan()).ToArray();
        Assert.Equal(new byte[] { 0x55, 0x14, 0x34, 0x12, 0xFE, 0xFF, 0xFF, 0xFF }, bytes);
        Assert.Equal(4, insn.Dst);
        Assert.Equal(1, insn.Src);
    }

    [Fact]
    public void AssemblerResolvesForwardLabels()
    {
        var asm = new BpfAssembler();
        var skip = asm.DefineLabel();
        asm.Mov32(0, 1).JumpIfEqual(0, 1, skip).Mov32(0, 0).Mark(skip).Exit();
        var p = asm.Build();
        Assert.Equal(1, p[1].Offset); // jumps from 1 to 3
        Assert.Equal(1, BpfInterpreter.Run(p, 0, 0, 0));
    }

    [Fact]
    public void AssemblerRejectsUnboundAndBackwardLabels()
    {
        var asm = new BpfAssembler();
        asm.Jump(asm.DefineLabel()).Exit();
        Assert.Throws<InvalidOperationException>(() => asm.Build());

        var back = new BpfAssembler();
        var top = back.DefineLabel();
        back.Mark(top).Mov32(0, 0).Jump(top).Exit();
        Assert.Throws<InvalidOperationException>(() => back.Build());
    }

    [Fact]
    public void EmptyListDeniesEverything()
    {
        var p = CompileAndCompare([]);
        Assert.False(Allows(p, 'c', 1, 3, R));
        Assert.False(Allows(p, 'b', 8, 0, M));
    }

    [Fact]
    public void AllowAllListAllowsEverything()
    {
        var p = CompileAndCompare([AllowAll()]);
        Assert.Equal(8, p.Length); // six context loads/masks + "w0 = 1; exit"
        foreach (var type in Types)
            for (var a = 1; a <= 7; a++)
                Assert.True(Allows(p, type, 254, 1_048_575, (DeviceAccess)a));
        Assert.True(DeviceRuleSet.FromRules([AllowAll()]).IsAllowAll);
    }

    [Fact]
    public void UntypedRuleMeansAll()
    {
        var p = CompileAndCompare([Rule(true, null, null, null, "rwm")]);
        Assert.True(Allows(p, 'b', 8, 0, RW));
        // "a" ignores its numbers and access, like writing "a" to devices.deny.
        p = CompileAndCompare([AllowAll(), Rule(false, "a", 1, 3, "r")]);
        Assert.False(Allows(p, 'c', 5, 0, W));
    }

    [Fact]
    public void DockerLikeListWithRuncDefaults()
    {
        var rules = DefaultDeviceRules.AppendTo([DenyAll(), Rule(true, "b", 8, 0, "r")]);
        var p = CompileAndCompare(rules);
        Assert.True(Allows(p, 'c', 1, 3, RW));      // /dev/null
        Assert.True(Allows(p, 'c', 1, 9, R));       // /dev/urandom
        Assert.True(Allows(p, 'c', 136, 7, RW));    // /dev/pts/7
        Assert.True(Allows(p, 'c', 10, 200, RW));   // /dev/net/tun
        Assert.True(Allows(p, 'c', 4, 1, M));       // mknod of anything...
        Assert.False(Allows(p, 'c', 4, 1, R));      // ...but no open
        Assert.True(Allows(p, 'b', 8, 0, R));
        Assert.False(Allows(p, 'b', 8, 0, W));
        Assert.False(Allows(p, 'b', 8, 1, R));
        Assert.False(Allows(p, 'c', 1, 1, R));      // /dev/mem
    }

    [Fact]
    public void PartialAccessAllowsReadButNotWrite()
    {
        var p = CompileAndCompare([DenyAll(), Rule(true, "c", 1, 9, "r")]);
        Assert.True(Allows(p, 'c', 1, 9, R));
        Assert.False(Allows(p, 'c', 1, 9, W));
        Assert.False(Allows(p, 'c', 1, 9, RW));
        Assert.False(Allows(p, 'c', 1, 9, M));
        Assert.False(Allows(p, 'b', 1, 9, R));
    }

    [Fact]
    public void WildcardMajorsAndMinors()
    {
        var p = CompileAndCompare([DenyAll(), Rule(true, "c", null, 5, "rw"), Rule(true, "c", 136, null, "rwm"), Rule(true, "b", null, null, "m")]);
        Assert.True(Allows(p, 'c', 4095, 5, RW));
        Assert.False(Allows(p, 'c', 4095, 6, R));
        Assert.True(Allows(p, 'c', 136, 1_048_575, RW | M));
        Assert.False(Allows(p, 'c', 137, 0, R));
        Assert.True(Allows(p, 'b', 259, 3, M));
        Assert.False(Allows(p, 'b', 259, 3, R));
    }

    [Fact]
    public void LaterRulesWinAndAllowsForOneDeviceMerge()
    {
        // Merge: two allows for the same device add up, so an O_RDWR open passes.
        var p = CompileAndCompare([DenyAll(), Rule(true, "c", 1, 3, "r"), Rule(true, "c", 1, 3, "w")]);
        Assert.True(Allows(p, 'c', 1, 3, RW));
        // A later deny takes bits away.
        p = CompileAndCompare([DenyAll(), Rule(true, "c", 1, 3, "rwm"), Rule(false, "c", 1, 3, "w")]);
        Assert.True(Allows(p, 'c', 1, 3, R | M));
        Assert.False(Allows(p, 'c', 1, 3, W));
        Assert.False(Allows(p, 'c', 1, 3, RW));
        // A later "a" resets everything before it.
        p = CompileAndCompare([DenyAll(), Rule(true, "c", 1, 3, "rwm"), DenyAll(), Rule(true, "c", 1, 5, "r")]);
        Assert.False(Allows(p, 'c', 1, 3, R));
        Assert.True(Allows(p, 'c', 1, 5, R));
    }

    [Fact]
    public void DefaultAllowListDeniesAnyOverlappingAccess()
    {
        var p = CompileAndCompare([AllowAll(), Rule(false, "c", 1, 3, "w"), Rule(false, "b", null, null, "m"), Rule(false, "c", 5, null, "rw"), Rule(true, "c", 5, null, "r")]);
        Assert.True(Allows(p, 'c', 1, 3, R));
        Assert.False(Allows(p, 'c', 1, 3, W));
        Assert.False(Allows(p, 'c', 1, 3, RW));     // kernel v1: any denied bit denies the request
        Assert.False(Allows(p, 'b', 8, 0, M));
        Assert.True(Allows(p, 'b', 8, 0, RW));
        Assert.True(Allows(p, 'c', 5, 1, R));       // the allow took "r" back out of the 5:* deny
        Assert.False(Allows(p, 'c', 5, 1, W));
        Assert.True(Allows(p, 'c', 4, 1, RW | M));
    }

    [Fact]
    public void NumbersAboveInt32AreComparedAsUnsigned()
    {
        var p = CompileAndCompare([DenyAll(), Rule(true, "c", 3_000_000_000, 2_147_483_648, "r")]);
        Assert.True(Allows(p, 'c', 3_000_000_000, 2_147_483_648, R));
        Assert.False(Allows(p, 'c', 3_000_000_000, 0, R));
        Assert.Contains(p, i => i.Class == Bpf.JMP32);
        // Real device numbers keep to the portable 64-bit compare (pre-5.1 kernels have no JMP32).
        Assert.DoesNotContain(DeviceFilterCompiler.Compile(DefaultDeviceRules.AppendTo([DenyAll()])), i => i.Class == Bpf.JMP32);
    }

    [Fact]
    public void NegativeNumbersAreWildcardsLikeRuncMinusOne()
    {
        var p = CompileAndCompare([DenyAll(), Rule(true, "c", 136, -1, "rw")]);
        Assert.True(Allows(p, 'c', 136, 42, RW));
    }

    [Fact]
    public void RandomRuleListsMatchTheReference()
    {
        var rng = new Random(12345);
        string[] types = ["a", "b", "c", "c", "c"];
        long?[] majors = [null, 1, 5, 136, 3_000_000_000];
        long?[] minors = [null, 3, 5, 9, 2_147_483_648];
        string[] accesses = ["r", "w", "m", "rw", "rm", "wm", "rwm"];
        var compiled = 0;
        for (var n = 0; n < 400; n++)
        {
            var rules = new List<LinuxDeviceCgroup>();
            if (rng.Next(3) > 0) rules.Add(rng.Next(4) == 0 ? AllowAll() : DenyAll());
            for (var k = rng.Next(7); k > 0; k--)
            {
                var type = types[rng.Next(types.Length)];
                if (type == "a" && rng.Next(3) > 0) type = "c";
                rules.Add(Rule(rng.Next(2) == 0, type, majors[rng.Next(majors.Length)], minors[rng.Next(minors.Length)], accesses[rng.Next(accesses.Length)]));
            }
            try
            {
                DeviceRuleSet.FromRules(rules);
            }
            catch (CgroupException e) when (e.Message.Contains("punch a hole", StringComparison.Ordinal))
            {
                continue; // refused on purpose (see HolePunchingIsRefused); nothing to compare
            }
            CompileAndCompare(rules);
            compiled++;
        }
        Assert.True(compiled > 250, $"only {compiled} lists compiled");
    }

    [Fact]
    public void HolePunchingIsRefused()
    {
        var e = Assert.Throws<CgroupException>(() => DeviceFilterCompiler.Compile([DenyAll(), Rule(true, "c", 1, null, "rw"), Rule(false, "c", 1, 3, "w")]));
        Assert.Contains("linux.resources.devices[2]", e.Message);
        Assert.Contains("c 1:* rw", e.Message);
        e = Assert.Throws<CgroupException>(() => DeviceFilterCompiler.Compile([AllowAll(), Rule(false, "b", null, null, "m"), Rule(true, "b", 8, 0, "m")]));
        Assert.Contains("linux.resources.devices[2]", e.Message);
        // Bits the wildcard does not hold are fine, and so is removing the wildcard itself.
        DeviceFilterCompiler.Compile([DenyAll(), Rule(true, "c", 1, null, "r"), Rule(false, "c", 1, 3, "w"), Rule(false, "c", 1, null, "r")]);
    }

    [Theory]
    [InlineData("x", "rwm", null, "linux.resources.devices[1].type")]
    [InlineData("p", "rwm", null, "linux.resources.devices[1].type")]
    [InlineData("c", "rwx", null, "linux.resources.devices[1].access")]
    [InlineData("c", "", null, "linux.resources.devices[1].access")]
    [InlineData("c", null, null, "linux.resources.devices[1].access")]
    [InlineData("c", "r", 4_294_967_296L, "linux.resources.devices[1].major")]
    public void InvalidRulesNameTheField(string? type, string? access, long? major, string field)
    {
        var rules = new[] { DenyAll(), new LinuxDeviceCgroup { Allow = true, Type = type, Major = major, Minor = 1, Access = access } };
        var e = Assert.Throws<CgroupException>(() => DeviceFilterCompiler.Compile(rules));
        Assert.StartsWith(field + ":", e.Message);
    }

    [Fact]
    public void MinorOutOfRangeIsRejected()
    {
        var e = Assert.Throws<CgroupException>(() => DeviceFilterCompiler.Compile([Rule(true, "b", 1, 1L << 40, "r")]));
        Assert.StartsWith("linux.resources.devices[0].minor:", e.Message);
    }

    [Fact]
    public void DefaultRulesAreRuncsAllowedDevicesInOrder()
    {
        var text = DefaultDeviceRules.Create().Select(r =>
            $"{r.Type} {(r.Major is { } a ? a.ToString() : "*")}:{(r.Minor is { } b ? b.ToString() : "*")} {r.Access} {r.Allow}");
        Assert.Equal(
        [
            "c *:* m True", "b *:* m True", "c 1:3 rwm True", "c 1:8 rwm True", "c 1:7 rwm True", "c 5:0 rwm True",
            "c 1:5 rwm True", "c 1:9 rwm True", "c 136:* rwm True", "c 5:2 rwm True", "c 10:200 rwm True",
        ], text);
        Assert.NotSame(DefaultDeviceRules.Create()[0], DefaultDeviceRules.Create()[0]);
        var combined = DefaultDeviceRules.AppendTo([DenyAll()]);
        Assert.Equal(12, combined.Count);
        Assert.False(combined[0].Allow);
    }
}
