using System.Text;
using Carton.Fuzz.Tests.Harness;
using Carton.Linux.Seccomp;
using Carton.Oci;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// The seccomp compiler: linux.seccomp as it arrives in config.json (the input is the profile, put under "linux" in
/// a minimal config.json and read by SpecLoader), then SeccompCompiler.Validate and Compile as the runtime's
/// SeccompPlan runs them (without its on-disk cache). Bad input: <see cref="SpecException"/> from the reader,
/// <see cref="SeccompException"/> from the compiler.
/// </summary>
public sealed class SeccompFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_FOO", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",
        "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_BOGUS", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
        "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_NATIVE", "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "read", "write", "clone", "clone3", "ioctl",
        "socket", "personality", "open", "openat", "nosuchcall", "_llseek", "mmap2", "chown32", "/run/fuzz.sock",
    ];

    private static readonly byte[] Prefix = Encoding.UTF8.GetBytes("{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":");
    private static readonly byte[] Suffix = Encoding.UTF8.GetBytes("}}");

    public static FuzzTarget Target { get; } = new(
        "seccomp",
        JsonShape.Variants(Corpus.Load("seccomp"), Domain),
        Exercise,
        e => e is SpecException or SeccompException);

    private static void Exercise(byte[] input)
    {
        var spec = SpecLoader.Parse([.. Prefix, .. input, .. Suffix]);
        if (spec.Linux?.Seccomp is not { } profile) return;
        var errors = SeccompCompiler.Validate(profile);
        if (errors.Count > 0) throw new SeccompException(errors);
        SeccompCompiler.Compile(profile);
        SeccompCompiler.NeedsNotifyFd(profile);
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
