using Carton.Linux.Seccomp;
using static Carton.Linux.Tests.Seccomp.SeccompTestProfiles;

namespace Carton.Linux.Tests.Seccomp;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SeccompCacheTests
{
    [Fact]
    public void CacheKeyIsStableAndCoversWhatShapesTheProgram()
    {
        var a = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "read"), Rule("SCMP_ACT_ALLOW", "socket", Arg(0, "SCMP_CMP_NE", 40)));
        var b = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "read"), Rule("SCMP_ACT_ALLOW", "socket", Arg(0, "SCMP_CMP_NE", 40)));
        Assert.Matches("^[0-9a-f]{64}$", SeccompCompiler.CacheKey(a));
        Assert.Equal(SeccompCompiler.CacheKey(a), SeccompCompiler.CacheKey(b));

        b.Flags = ["SECCOMP_FILTER_FLAG_LOG"];
        b.ListenerPath = "/run/agent.sock";
        Assert.Equal(SeccompCompiler.CacheKey(a), SeccompCompiler.CacheKey(b)); // not part of the program

        b.Syscalls![1].Args![0].Value = 41;
        Assert.NotEqual(SeccompCompiler.CacheKey(a), SeccompCompiler.CacheKey(b));
        b.Syscalls![1].Args![0].Value = 40;
        b.DefaultErrnoRet = 1;
        Assert.NotEqual(SeccompCompiler.CacheKey(a), SeccompCompiler.CacheKey(b));
        Assert.NotEqual(SeccompCompiler.CacheKey(a), SeccompCompiler.CacheKey(a, SeccompReturn.KillProcess));
    }

    [Fact]
    public void CompileCachedWritesAndReusesTheOnDiskFilter()
    {
        var dir = Path.Combine(Path.GetTempPath(), "carton-seccomp-cache-" + Guid.NewGuid().ToString("N"), "seccomp-cache");
        try
        {
            var p = DockerDefaultProfileTests.Load();
            p.DefaultErrnoRet = 13; // a profile no other test caches in memory
            var expected = SeccompCompiler.Compile(p);

            Assert.Equal(expected, SeccompCompiler.CompileCached(p, dir));
            var file = Path.Combine(dir, SeccompCompiler.CacheKey(p) + ".bpf");
            Assert.True(File.Exists(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            Assert.Equal(16 + 8 * expected.Length, new FileInfo(file).Length);
            Assert.Equal(expected, SeccompCompiler.Deserialize(File.ReadAllBytes(file)));
            Assert.Single(Directory.GetFiles(dir)); // no temp files left behind

            // The result is a copy: mutating it does not poison the cache.
            var first = SeccompCompiler.CompileCached(p, dir);
            first[0] = default;
            Assert.Equal(expected, SeccompCompiler.CompileCached(p, dir));

            // A file written by "another invocation" is read back (planted under the key of a fresh profile).
            var q = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["mkdir"], 77));
            var planted = new[] { Bpf.Ret(0x12345) };
            File.WriteAllBytes(Path.Combine(dir, SeccompCompiler.CacheKey(q) + ".bpf"), SeccompCompiler.Serialize(planted));
            Assert.Equal(planted, SeccompCompiler.CompileCached(q, dir));

            // A corrupt file is ignored and replaced.
            var r = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["mkdir"], 78));
            var rFile = Path.Combine(dir, SeccompCompiler.CacheKey(r) + ".bpf");
            File.WriteAllBytes(rFile, [1, 2, 3]);
            Assert.Equal(SeccompCompiler.Compile(r), SeccompCompiler.CompileCached(r, dir));
            Assert.Equal(SeccompCompiler.Compile(r), SeccompCompiler.Deserialize(File.ReadAllBytes(rFile)));

            // Without a directory: memory only. Invalid profiles still throw.
            Assert.Equal(expected, SeccompCompiler.CompileCached(p, null));
            Assert.Throws<SeccompException>(() => SeccompCompiler.CompileCached(Profile("SCMP_ACT_BOGUS"), dir));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Fact]
    public void SerializedFormatRejectsGarbage()
    {
        var program = new[] { Bpf.LoadAbsolute(0), new SockFilter(Bpf.JMP | Bpf.JEQ, 0, 1, 5), Bpf.Ret(1), Bpf.Ret(2) };
        var bytes = SeccompCompiler.Serialize(program);
        Assert.Equal(program, SeccompCompiler.Deserialize(bytes));
        Assert.Null(SeccompCompiler.Deserialize(bytes.AsSpan(0, bytes.Length - 1)));
        var wrongVersion = (byte[])bytes.Clone();
        wrongVersion[8] ^= 0xff;
        Assert.Null(SeccompCompiler.Deserialize(wrongVersion));
        Assert.Null(SeccompCompiler.Deserialize([]));
    }
}
