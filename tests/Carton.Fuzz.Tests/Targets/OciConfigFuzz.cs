using Carton.Fuzz.Tests.Harness;
using Carton.Oci;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>config.json loading and validation (SpecLoader.Parse, then SpecLoader.ThrowIfInvalid as `carton create`
/// runs them): every bad input must be a <see cref="SpecException"/> naming the file and path.</summary>
public sealed class OciConfigFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "bind", "rbind", "tmpfs", "proc", "sysfs", "ro", "rw", "nosuid", "rprivate", "rslave", "shared", "idmap", "ridmap",
        "size=64k", "mode=1777", "uid=5", "x-mount.mkdir", "network", "pid", "mount", "user", "cgroup", "uts", "ipc", "time",
        "CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_BOGUS", "RLIMIT_NOFILE", "RLIMIT_BOGUS", "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
        "SCMP_CMP_EQ", "SCMP_ARCH_X86_64", "c", "b", "u", "p", "rwm", "/dev/null", "/proc/self/ns/net", "1.0.2", "1.2.0",
        "0-1", "0,2-3", "2MB", "1GB", "memory.high", "net.ipv4.ip_forward", "kernel.shm_rmid_forced", "LINUX32", "SCHED_FIFO",
        "IOPRIO_CLASS_RT", "/sys/fs/cgroup", "unconfined", "system_u:system_r:container_t:s0",
    ];

    public static FuzzTarget Target { get; } = new(
        "oci-config",
        JsonShape.Variants(Corpus.Load("oci-config"), Domain),
        Exercise,
        e => e is SpecException);

    private static readonly string Bundle = MakeBundle();

    // an empty bundle directory for relative root.path checks, removed when the test host exits
    private static string MakeBundle()
    {
        var dir = Directory.CreateTempSubdirectory("fuzz-bundle-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return dir;
    }

    private static void Exercise(byte[] input)
    {
        var spec = SpecLoader.Parse(input);
        SpecLoader.ThrowIfInvalid(spec, Bundle);
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
