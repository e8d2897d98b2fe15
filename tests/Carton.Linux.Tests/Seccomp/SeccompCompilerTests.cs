using Carton.Linux.Seccomp;
using Carton.Oci;
using static Carton.Linux.Tests.Seccomp.SeccompTestProfiles;

namespace Carton.Linux.Tests.Seccomp;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SeccompCompilerTests
{
    private const uint Allow = SeccompReturn.Allow;

    private static uint Run(LinuxSeccomp p, SeccompDataInput d)
    {
        var program = SeccompCompiler.Compile(p);
        uint got = BpfInterpreter.Run(program, d);
        Assert.Equal(Expected(p, d), got); // the reference model agrees with every hand-written expectation below
        return got;
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL", 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_THREAD", 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_PROCESS", 0x80000000u)]
    [InlineData("SCMP_ACT_TRAP", 0x00030000u)]
    [InlineData("SCMP_ACT_ERRNO", 0x00050001u)]
    [InlineData("SCMP_ACT_TRACE", 0x7ff00001u)]
    [InlineData("SCMP_ACT_ALLOW", 0x7fff0000u)]
    [InlineData("SCMP_ACT_LOG", 0x7ffc0000u)]
    [InlineData("SCMP_ACT_NOTIFY", 0x7fc00000u)]
    public void EveryRuleAction(string action, uint expected)
    {
        var defaultAction = action == "SCMP_ACT_ALLOW" ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW";
        var p = Profile(defaultAction, Rule(action, "mkdir"));
        Assert.Equal(expected, Run(p, SeccompDataInput.X86_64(Nr("mkdir"))));
        Assert.Equal(Action(defaultAction, null), Run(p, SeccompDataInput.X86_64(Nr("read"))));
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL", 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_PROCESS", 0x80000000u)]
    [InlineData("SCMP_ACT_TRAP", 0x00030000u)]
    [InlineData("SCMP_ACT_ERRNO", 0x00050001u)]
    [InlineData("SCMP_ACT_TRACE", 0x7ff00001u)]
    [InlineData("SCMP_ACT_ALLOW", 0x7fff0000u)]
    [InlineData("SCMP_ACT_LOG", 0x7ffc0000u)]
    public void EveryDefaultAction(string action, uint expected)
    {
        var p = Profile(action, Rule(action == "SCMP_ACT_LOG" ? "SCMP_ACT_ALLOW" : "SCMP_ACT_LOG", "getpid"));
        Assert.Equal(expected, Run(p, SeccompDataInput.X86_64(Nr("mkdir"))));
        Assert.Equal(expected, Run(p, SeccompDataInput.X86_64(100_000)));
    }

    [Fact]
    public void ErrnoRetAndDefaultErrnoRet()
    {
        var p = Profile("SCMP_ACT_ERRNO",
            Rule("SCMP_ACT_ERRNO", ["getppid"], 38),
            Rule("SCMP_ACT_TRACE", ["ptrace"], 1234),
            Rule("SCMP_ACT_ERRNO", ["mkdir"]), // no errnoRet: EPERM, not defaultErrnoRet (runc)
            Rule("SCMP_ACT_ALLOW", ["read"]));
        p.DefaultErrnoRet = 13;
        Assert.Equal(Errno(38), Run(p, SeccompDataInput.X86_64(Nr("getppid"))));
        Assert.Equal(SeccompReturn.Trace | 1234, Run(p, SeccompDataInput.X86_64(Nr("ptrace"))));
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(Nr("mkdir"))));
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(Nr("read"))));
        Assert.Equal(Errno(13), Run(p, SeccompDataInput.X86_64(Nr("write"))));
        Assert.Equal(Errno(0), Run(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["mkdir"], 0)), SeccompDataInput.X86_64(Nr("mkdir"))));
    }

    // Boundary values for 64-bit comparisons: around 0, 2^32 and 2^64, high and low words set independently.
    public static readonly ulong[] Interesting =
    [
        0, 1, 2, 7, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000, 0x100000001, 0x1ffffffff,
        0x200000000, 0x80000000_00000000, 0xffffffff_00000000, 0xffffffff_fffffffe, ulong.MaxValue, 0x12345678_9abcdef0,
    ];

    public static TheoryData<string> Ops => new()
    {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void EveryOperatorOver64BitBoundaries(string op)
    {
        foreach (var arg in new uint[] { 0, 3, 5 })
            foreach (var v in Interesting)
            {
                ulong v2 = op == "SCMP_CMP_MASKED_EQ" ? v & 0xffff0000_ffff0001 : 0;
                var p = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "ioctl", Arg(arg, op, v, v2)));
                var program = SeccompCompiler.Compile(p);
                foreach (var x in Interesting)
                {
                    var args = new ulong[6];
                    args[arg] = x;
                    args[(arg + 1) % 6] = ~x; // noise in the other args
                    var d = SeccompDataInput.X86_64(Nr("ioctl"), args);
                    bool holds = op switch
                    {
                        "SCMP_CMP_NE" => x != v, "SCMP_CMP_LT" => x < v, "SCMP_CMP_LE" => x <= v, "SCMP_CMP_EQ" => x == v,
                        "SCMP_CMP_GE" => x >= v, "SCMP_CMP_GT" => x > v, _ => (x & v) == v2,
                    };
                    Assert.True((holds ? Errno(1) : Allow) == BpfInterpreter.Run(program, d), $"{op} arg{arg}={x:x} value={v:x} valueTwo={v2:x}");
                }
            }
    }

    // The high word of a 32-bit ABI's args[i] as the filter might see it: zero (what the kernel passes for i386
    // compat tasks), and garbage the filter must ignore.
    private static readonly ulong[] HighWords = [0, 1, 0xdeadbeef, 0x80000000, 0xffffffff];

    [Theory]
    [MemberData(nameof(Ops))]
    public void ThirtyTwoBitAbisCompareOnlyTheLowWord(string op)
    {
        foreach (var v in Interesting)
        {
            ulong v2 = op == "SCMP_CMP_MASKED_EQ" ? v & 0xffff0000_ffff0001 : 0;
            var p = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["ioctl"], 9, Arg(1, op, v, v2)));
            p.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];
            var program = SeccompCompiler.Compile(p);
            foreach (var x in Interesting)
            {
                // libseccomp (_db_rule_gen_32): value and valueTwo truncated to 32 bits, only the low word of the arg.
                uint xl = (uint)x, vl = (uint)v, v2l = (uint)v2;
                bool holds32 = op switch
                {
                    "SCMP_CMP_NE" => xl != vl, "SCMP_CMP_LT" => xl < vl, "SCMP_CMP_LE" => xl <= vl, "SCMP_CMP_EQ" => xl == vl,
                    "SCMP_CMP_GE" => xl >= vl, "SCMP_CMP_GT" => xl > vl, _ => (xl & vl) == v2l,
                };
                foreach (var high in HighWords)
                {
                    ulong arg = (ulong)high << 32 | xl;
                    var i386 = SeccompDataInput.X86(Nr32("ioctl"), 0, arg, ~arg);
                    var x32 = SeccompDataInput.X32(NrX32("ioctl"), 0, arg, ~arg);
                    Assert.True((holds32 ? Errno(9) : Allow) == BpfInterpreter.Run(program, i386), $"x86 {op} arg={arg:x} value={v:x} valueTwo={v2:x}");
                    Assert.True((holds32 ? Errno(9) : Allow) == BpfInterpreter.Run(program, x32), $"x32 {op} arg={arg:x} value={v:x} valueTwo={v2:x}");
                }

                // x86_64 is unchanged: the full 64-bit comparison, high word included.
                bool holds64 = op switch
                {
                    "SCMP_CMP_NE" => x != v, "SCMP_CMP_LT" => x < v, "SCMP_CMP_LE" => x <= v, "SCMP_CMP_EQ" => x == v,
                    "SCMP_CMP_GE" => x >= v, "SCMP_CMP_GT" => x > v, _ => (x & v) == v2,
                };
                Assert.True((holds64 ? Errno(9) : Allow) == BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("ioctl"), 0, x, ~x)),
                    $"x86_64 {op} arg={x:x} value={v:x} valueTwo={v2:x}");
            }
        }
    }

    [Fact]
    public void ThirtyTwoBitAbisTruncateRuleValuesAndNeverLoadTheHighWord()
    {
        var p = Profile("SCMP_ACT_ERRNO",
            Rule("SCMP_ACT_ALLOW", "write", Arg(0, "SCMP_CMP_EQ", 0x7_0000_0002), Arg(1, "SCMP_CMP_LE", 0x1_0000_0005), Arg(2, "SCMP_CMP_MASKED_EQ", 0xffff_ff00_0000_00ff, 0xffff_0000_0000_0001)),
            Rule("SCMP_ACT_TRAP", "read", Arg(0, "SCMP_CMP_GE", 0x1_0000_0000)));
        p.Architectures = ["SCMP_ARCH_X86", "SCMP_ARCH_X32"];
        var program = SeccompCompiler.Compile(p);
        foreach (var d in new[] { SeccompDataInput.X86(Nr32("write"), 2, 5, 1), SeccompDataInput.X32(NrX32("write"), 2, 5, 1) })
        {
            // Like libseccomp: EQ 0x7_00000002 is EQ 2, LE 0x1_00000005 is LE 5, the mask and datum lose their high words.
            Assert.Equal(Allow, Run(p, d));
            var loads = new List<uint>();
            BpfInterpreter.Run(program, d, out _, loads.Add);
            Assert.Equal([SeccompData.ArgLow(0), SeccompData.ArgLow(1), SeccompData.ArgLow(2)], loads.Where(o => o >= SeccompData.ArgsOffset));
            Assert.DoesNotContain(loads, o => o >= SeccompData.ArgsOffset && (o - SeccompData.ArgsOffset) % 8 == 4);
        }
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86(Nr32("write"), 2, 6, 1)));
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X32(NrX32("write"), 2, 5, 0x100)));
        // GE 2^32 truncated to GE 0: always holds on x86 and x32, but not on x86_64.
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X86(Nr32("read"), 0)));
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X32(NrX32("read"), 0xffffffff_00000000)));
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(Nr("read"), 0xffffffff)));
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X86_64(Nr("read"), 0x1_0000_0000)));
        // x86_64 keeps the 64-bit values: EQ 0x7_00000002 does not match 2.
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(Nr("write"), 2, 5, 0xffff_0000_0000_0001)));
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(Nr("write"), 0x7_0000_0002, 0x1_0000_0005, 0xffff_0000_0000_0001)));
    }

    [Fact]
    public void MaskedEqUsesValueAsMaskAndValueTwoAsDatum()
    {
        // Docker's clone rule: allow clone only when no namespace flag is set.
        const ulong CloneNsMask = 0x7E020000;
        var p = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "clone", Arg(0, "SCMP_CMP_MASKED_EQ", CloneNsMask, 0)));
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(Nr("clone"), 0x11 /* SIGCHLD */ | 0x01000000)));
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(Nr("clone"), 0x11 | 0x20000000 /* CLONE_NEWUSER */)));
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(Nr("clone"), 0xffffffff_00000011))); // high word outside the mask
        // Mask and datum in the high word.
        var q = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_KILL_PROCESS", "mmap", Arg(2, "SCMP_CMP_MASKED_EQ", 0xf0000000_0000000f, 0x10000000_00000001)));
        Assert.Equal(SeccompReturn.KillProcess, Run(q, SeccompDataInput.X86_64(Nr("mmap"), 0, 0, 0x1fffffff_fffffff1)));
        Assert.Equal(Allow, Run(q, SeccompDataInput.X86_64(Nr("mmap"), 0, 0, 0x2fffffff_fffffff1)));
        Assert.Equal(Allow, Run(q, SeccompDataInput.X86_64(Nr("mmap"), 0, 0, 0x1fffffff_fffffff2)));
    }

    [Fact]
    public void MultipleArgsAreAndedAndMultipleRulesOrderedFirstMatchWins()
    {
        var p = Profile("SCMP_ACT_ALLOW",
            Rule("SCMP_ACT_ERRNO", ["openat"], 2, Arg(0, "SCMP_CMP_EQ", unchecked((ulong)-100)), Arg(2, "SCMP_CMP_MASKED_EQ", 3, 1)),
            Rule("SCMP_ACT_ERRNO", ["openat"], 3, Arg(2, "SCMP_CMP_GT", 0x100000000)),
            Rule("SCMP_ACT_TRAP", ["openat"], null, Arg(1, "SCMP_CMP_NE", 0)),
            Rule("SCMP_ACT_LOG", ["openat", "read"]));
        ulong atFdcwd = unchecked((ulong)-100);
        Assert.Equal(Errno(2), Run(p, SeccompDataInput.X86_64(Nr("openat"), atFdcwd, 5, 1)));             // rule 0
        Assert.Equal(Errno(2), Run(p, SeccompDataInput.X86_64(Nr("openat"), atFdcwd, 5, 0x100000001))); // (x & 3) == 1 ignores the high word
        Assert.Equal(Errno(3), Run(p, SeccompDataInput.X86_64(Nr("openat"), atFdcwd, 5, 0x100000002))); // rule 0 fails on arg2, rule 1
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X86_64(Nr("openat"), 3, 5, 1)));       // rule 0 fails on arg0
        Assert.Equal(SeccompReturn.Log, Run(p, SeccompDataInput.X86_64(Nr("openat"), 3, 0, 0)));        // unconditional last rule
        Assert.Equal(SeccompReturn.Log, Run(p, SeccompDataInput.X86_64(Nr("read"))));
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(Nr("write"))));

        // An unconditional rule shadows later rules for the same syscall.
        var q = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "kill"), Rule("SCMP_ACT_TRAP", "kill", Arg(0, "SCMP_CMP_EQ", 1)));
        Assert.Equal(Errno(1), Run(q, SeccompDataInput.X86_64(Nr("kill"), 1)));
    }

    [Fact]
    public void RuleEqualToTheDefaultActionIsDropped()
    {
        // Like runc: the redundant first rule does not shadow the second.
        var p = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ERRNO", ["mkdir"], 1), Rule("SCMP_ACT_ALLOW", "mkdir"));
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(Nr("mkdir"))));
        // Different errno: not the default, kept.
        var q = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ERRNO", ["mkdir"], 2), Rule("SCMP_ACT_ALLOW", "mkdir"));
        Assert.Equal(Errno(2), Run(q, SeccompDataInput.X86_64(Nr("mkdir"))));
    }

    [Fact]
    public void ArchitecturesX86AndX32()
    {
        var p = Profile("SCMP_ACT_ERRNO",
            Rule("SCMP_ACT_ALLOW", ["read", "waitpid", "rt_sigaction", "arch_prctl"]),
            Rule("SCMP_ACT_TRAP", "write", Arg(0, "SCMP_CMP_EQ", 2)));
        p.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];

        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(0)));                         // read
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86(3)));                            // i386 read
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86(0)));                         // i386 restart_syscall
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86(7)));                            // i386 waitpid
        Assert.Equal(Allow, Run(p, SeccompDataInput.X32(0x40000000)));                   // x32 read
        Assert.Equal(Allow, Run(p, SeccompDataInput.X32(0x40000000 + 512)));             // x32 rt_sigaction
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X32(0x40000000 + 13)));           // x86_64 rt_sigaction number with the x32 bit: not x32's
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(13)));
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X86(4, 2)));            // i386 write(2, ...)
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X32(0x40000001, 2)));   // x32 write
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X86(4, 0x100000002)));  // i386 args are 32 bits: high word ignored
        Assert.Equal(SeccompReturn.Trap, Run(p, SeccompDataInput.X32(0x40000001, 0xdead_0000_0002))); // x32 too
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(1, 0x100000002)));         // x86_64: 64-bit compare
        Assert.Equal(SeccompReturn.KillThread, Run(p, new SeccompDataInput(0, 0xC00000B7 /* AUDIT_ARCH_AARCH64 */, new ulong[6])));
    }

    [Fact]
    public void UnlistedArchitecturesGetTheBadArchAction()
    {
        var p = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        // Empty architectures: the native x86_64 only. i386 and x32 syscalls hit the bad-arch action.
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(Nr("read"))));
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(Nr("mkdir"))));
        Assert.Equal(SeccompReturn.KillThread, Run(p, SeccompDataInput.X86(3)));
        Assert.Equal(SeccompReturn.KillThread, Run(p, SeccompDataInput.X32(0x40000000)));

        // Listing only x86 keeps the native x86_64 (runc/libseccomp always include the native arch).
        p.Architectures = ["SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"];
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86(Nr32("mkdir"))));
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(Nr("mkdir"))));
        Assert.Equal(SeccompReturn.KillThread, Run(p, SeccompDataInput.X32(NrX32("mkdir"))));

        var custom = SeccompCompiler.Compile(p, SeccompReturn.KillProcess);
        Assert.Equal(SeccompReturn.KillProcess, BpfInterpreter.Run(custom, SeccompDataInput.X32(NrX32("mkdir"))));
    }

    [Fact]
    public void UnknownSyscallNamesAreSkipped()
    {
        var p = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", ["no_such_syscall", "arm_fadvise64_64", "read", "waitpid", ""]));
        p.Architectures = ["SCMP_ARCH_X86"];
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86_64(0)));
        Assert.Equal(Allow, Run(p, SeccompDataInput.X86(7)));   // waitpid exists on i386 only
        Assert.Equal(Errno(1), Run(p, SeccompDataInput.X86_64(7))); // x86_64 7 is poll
        // A profile naming nothing known compiles to just the default action.
        var q = Profile("SCMP_ACT_LOG", Rule("SCMP_ACT_ALLOW", ["future_syscall_9000"]));
        Assert.Equal(SeccompReturn.Log, Run(q, SeccompDataInput.X86_64(0)));
    }

    [Fact]
    public void FourHundredRulesNeedTrampolines()
    {
        var names = SyscallTable.For(SeccompArch.X86_64).OrderBy(kv => kv.Value).Select(kv => kv.Key).ToList();
        Assert.True(names.Count >= 370, $"{names.Count} x86_64 syscalls");
        var rules = new List<LinuxSyscall>();
        for (int i = 0; i < names.Count; i++)
        {
            // Alternate unconditional and argument rules with distinct errnos so every block is different.
            if (i % 3 == 0) rules.Add(Rule("SCMP_ACT_ERRNO", [names[i]], (uint)(i + 2), Arg((uint)(i % 6), "SCMP_CMP_GE", (ulong)i << 30)));
            else rules.Add(Rule("SCMP_ACT_ERRNO", [names[i]], (uint)(i + 2)));
        }
        // And more rules: a second rule for every third syscall, for 400+ rules in all.
        for (int i = 0; i < names.Count; i += 3) rules.Add(Rule("SCMP_ACT_TRACE", [names[i]], (uint)i));
        Assert.True(rules.Count > 400);
        var p = Profile("SCMP_ACT_ALLOW", [.. rules]);
        var program = SeccompCompiler.Compile(p);
        Assert.Contains(program, i => i.Code == (Bpf.JMP | Bpf.JA));
        Assert.True(program.Length < Bpf.MaxInstructions, $"{program.Length} instructions");

        for (int i = 0; i < names.Count; i++)
        {
            int nr = Nr(names[i]);
            foreach (var d in new[]
                     {
                         SeccompDataInput.X86_64(nr, Fill((ulong)i << 30)), SeccompDataInput.X86_64(nr, Fill(((ulong)i << 30) - 1)),
                         SeccompDataInput.X86_64(nr),
                     })
                Assert.Equal(Expected(p, d), BpfInterpreter.Run(program, d));
        }
        Assert.Equal(Allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(5000)));

        static ulong[] Fill(ulong v) => [v, v, v, v, v, v];
    }

    [Fact]
    public void RandomProfilesMatchTheReferenceModel()
    {
        var rng = new Random(20240611);
        string[] names = ["read", "write", "openat", "mkdir", "ioctl", "waitpid", "socketcall", "rt_sigaction", "clone", "kill"];
        string[] actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY"];
        string[] ops = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];
        string[][] archSets = [[], ["SCMP_ARCH_X86"], ["SCMP_ARCH_X32"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]];
        for (int round = 0; round < 300; round++)
        {
            var rules = new List<LinuxSyscall>();
            for (int r = rng.Next(0, 12); r > 0; r--)
            {
                var action = actions[rng.Next(actions.Length)];
                uint? errno = action is "SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE" && rng.Next(2) == 0 ? (uint)rng.Next(0, 200) : null;
                var args = Enumerable.Range(0, rng.Next(0, 3))
                    .Select(_ => Arg((uint)rng.Next(0, 3), ops[rng.Next(ops.Length)], Pick(), Pick())).ToArray();
                rules.Add(Rule(action, Enumerable.Range(0, rng.Next(1, 3)).Select(_ => names[rng.Next(names.Length)]).ToArray(), errno, args));
            }
            var p = Profile(actions[rng.Next(actions.Length - 1)], [.. rules]);
            if (p.DefaultAction is "SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE" && rng.Next(2) == 0) p.DefaultErrnoRet = (uint)rng.Next(0, 100);
            p.Architectures = [.. archSets[rng.Next(archSets.Length)]];
            var program = SeccompCompiler.Compile(p);
            for (int k = 0; k < 60; k++)
            {
                var name = names[rng.Next(names.Length)];
                var args = new[] { Pick(), Pick(), Pick(), Pick(), Pick(), Pick() };
                SeccompDataInput d = rng.Next(3) switch
                {
                    0 => new(SyscallTable.TryGetNumber(SeccompArch.X86_64, name, out var a) ? a : 9999, SeccompReturn.AuditArchX86_64, args),
                    1 => new(SyscallTable.TryGetNumber(SeccompArch.X86, name, out var b) ? b : 9999, SeccompReturn.AuditArchI386, args),
                    _ => new(SyscallTable.TryGetNumber(SeccompArch.X32, name, out var c) ? c : 0x40000000 + 9999, SeccompReturn.AuditArchX86_64, args),
                };
                Assert.Equal(Expected(p, d), BpfInterpreter.Run(program, d));
            }
        }

        ulong Pick() => rng.Next(4) == 0 ? (ulong)rng.NextInt64() ^ ((ulong)rng.NextInt64() << 1) : Interesting[rng.Next(Interesting.Length)];
    }

    [Fact]
    public void ValidationErrorsNameTheJsonPath()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            DefaultErrnoRet = 5,
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"],
            Syscalls =
            [
                Rule("SCMP_ACT_ERRNO", "read"),
                Rule("SCMP_ACT_ERRNO", "read"),
                Rule("SCMP_ACT_ERRNO", "read"),
                Rule("SCMP_ACT_FOO", "read"),
                Rule("SCMP_ACT_ERRNO", "read", Arg(0, "SCMP_CMP_XX", 1), Arg(6, "SCMP_CMP_EQ", 1)),
                Rule("SCMP_ACT_ALLOW", ["write"], 3),
                new LinuxSyscall { Names = [], Action = "SCMP_ACT_ALLOW" },
                Rule("SCMP_ACT_ERRNO", ["write"], 70000),
            ],
        };
        var e = Assert.Throws<SeccompException>(() => SeccompCompiler.Compile(p));
        Assert.Equal(
        [
            "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW",
            "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"",
            "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"",
            "linux.seccomp.syscalls[4].args[0].op: unknown operator \"SCMP_CMP_XX\"",
            "linux.seccomp.syscalls[4].args[1].index: must be 0..5",
            "linux.seccomp.syscalls[5].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW",
            "linux.seccomp.syscalls[6].names: must contain at least one name",
            "linux.seccomp.syscalls[7].errnoRet: 70000 is out of range (0..65535)",
        ], e.Errors);
        Assert.Contains("linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"", e.Message);

        Assert.Equal(["linux.seccomp.defaultAction: must be set"], Assert.Throws<SeccompException>(() => SeccompCompiler.Compile(new LinuxSeccomp())).Errors);
        Assert.Equal(["linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"],
            Assert.Throws<SeccompException>(() => SeccompCompiler.Compile(Profile("SCMP_ACT_NOTIFY"))).Errors);

        var flags = Profile("SCMP_ACT_ALLOW");
        flags.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS"];
        Assert.Equal(["linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_BOGUS\""], SeccompCompiler.Validate(flags));
        Assert.Empty(SeccompCompiler.Validate(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", "mkdir"))));
    }

    [Fact]
    public void NeedsNotifyFd()
    {
        Assert.False(SeccompCompiler.NeedsNotifyFd(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"))));
        Assert.True(SeccompCompiler.NeedsNotifyFd(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"), Rule("SCMP_ACT_NOTIFY", "openat"))));
    }

    [Fact]
    public void AssemblerTrampolinesLongConditionalJumps()
    {
        var asm = new BpfAssembler();
        var far = asm.NewLabel();
        var farFalse = asm.NewLabel();
        asm.LoadAbsolute(0);
        asm.JumpIf(Bpf.JEQ, 1, far, null);         // true branch far
        asm.JumpIf(Bpf.JGE, 3, null, farFalse);    // false branch far
        asm.JumpIf(Bpf.JEQ, 3, far, farFalse);     // both far
        for (int i = 0; i < 300; i++) asm.Ret(1000u + (uint)i);
        asm.Bind(far);
        asm.LoadAbsolute(4);
        asm.Ret(7);
        asm.Bind(farFalse);
        asm.Ret(8);
        var program = asm.Assemble();
        Assert.Equal(4 + 4 + 303, program.Length); // four trampolines:
        Assert.Equal(2, program.Count(i => i.Code == (Bpf.JMP | Bpf.JA))); // JA to "far"
        Assert.Equal(3, program.Count(i => i == Bpf.Ret(8)));               // copies of the "farFalse" return
        Assert.Equal(7u, BpfInterpreter.Run(program, SeccompDataInput.X86_64(1)));
        Assert.Equal(8u, BpfInterpreter.Run(program, SeccompDataInput.X86_64(5)));
        Assert.Equal(8u, BpfInterpreter.Run(program, SeccompDataInput.X86_64(2)));
        Assert.Equal(7u, BpfInterpreter.Run(program, SeccompDataInput.X86_64(3)));
        Assert.Equal(8u, BpfInterpreter.Run(program, SeccompDataInput.X86_64(4)));
        Assert.Contains(program, i => i == new SockFilter(Bpf.RET | Bpf.K, 0, 0, 1299));
    }
}
