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

    private const string Sub = ".cache/seccomp";
    private const UnixFileMode Rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const uint Nobody = 65534;
    private static int _unique = 1000;

    /// <summary>A profile no other test compiles (the in-memory cache is per process).</summary>
    private static Carton.Oci.LinuxSeccomp UniqueProfile() =>
        Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["mkdir"], (uint)Interlocked.Increment(ref _unique)), Rule("SCMP_ACT_KILL_PROCESS", "ptrace"));

    private static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "carton-seccomp-cache-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        return root;
    }

    [Fact]
    public void CompileCachedWritesAndReusesTheOnDiskFilter()
    {
        var root = NewRoot();
        var dir = Path.Combine(root, ".cache", "seccomp");
        try
        {
            var p = DockerDefaultProfileTests.Load();
            p.DefaultErrnoRet = 13; // a profile no other test caches in memory
            var expected = SeccompCompiler.Compile(p);

            Assert.Equal(expected, SeccompCompiler.CompileCached(p, root, Sub));
            var key = SeccompCompiler.CacheKey(p);
            var file = Path.Combine(dir, key + ".bpf");
            Assert.True(File.Exists(file));
            Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(root, ".cache")));
            Assert.Equal(Rwx, File.GetUnixFileMode(dir));
            Assert.Equal(Rw, File.GetUnixFileMode(file));
            Assert.Equal(16 + 32 + 8 * expected.Length + 32, new FileInfo(file).Length);
            Assert.Equal(expected, SeccompCompiler.Deserialize(File.ReadAllBytes(file), key));
            Assert.Null(SeccompCompiler.Deserialize(File.ReadAllBytes(file), SeccompCompiler.CacheKey(UniqueProfile()))); // bound to its key
            Assert.Single(Directory.GetFileSystemEntries(dir)); // no temp files left behind

            // The result is a copy: mutating it does not poison the cache.
            var first = SeccompCompiler.CompileCached(p, root, Sub);
            first[0] = default;
            Assert.Equal(expected, SeccompCompiler.CompileCached(p, root, Sub));

            // A good entry written by "another invocation" is used (planted under the key of a fresh profile).
            var q = UniqueProfile();
            var planted = new[] { Bpf.Ret(0x12345) };
            Plant(dir, q, planted);
            Assert.Equal(planted, SeccompCompiler.CompileCached(q, root, Sub));

            // A corrupt file is ignored and replaced.
            var r = UniqueProfile();
            var rFile = Path.Combine(dir, SeccompCompiler.CacheKey(r) + ".bpf");
            File.WriteAllBytes(rFile, [1, 2, 3]);
            File.SetUnixFileMode(rFile, Rw);
            Assert.Equal(SeccompCompiler.Compile(r), SeccompCompiler.CompileCached(r, root, Sub));
            Assert.Equal(SeccompCompiler.Compile(r), SeccompCompiler.Deserialize(File.ReadAllBytes(rFile), SeccompCompiler.CacheKey(r)));

            // Without a root: memory only. Invalid profiles still throw; so do cache paths that are not plain names.
            Assert.Equal(expected, SeccompCompiler.CompileCached(p, null, Sub));
            Assert.Throws<SeccompException>(() => SeccompCompiler.CompileCached(Profile("SCMP_ACT_BOGUS"), root, Sub));
            Assert.Throws<ArgumentException>(() => SeccompCompiler.CompileCached(p, root, "../seccomp"));
            Assert.Throws<ArgumentException>(() => SeccompCompiler.CompileCached(p, root, "/tmp"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Writes a well-formed cache entry (right key and digest, mode 0600) for <paramref name="p"/>.</summary>
    private static string Plant(string dir, Carton.Oci.LinuxSeccomp p, SockFilter[] program) =>
        PlantBytes(dir, p, SeccompCompiler.Serialize(SeccompCompiler.CacheKey(p), program));

    private static string PlantBytes(string dir, Carton.Oci.LinuxSeccomp p, byte[] bytes)
    {
        Directory.CreateDirectory(dir, Rwx);
        var file = Path.Combine(dir, SeccompCompiler.CacheKey(p) + ".bpf");
        File.WriteAllBytes(file, bytes);
        File.SetUnixFileMode(file, Rw);
        return file;
    }

    /// <summary>Recomputes the trailing SHA-256, as someone who knows the format would after editing a file.</summary>
    private static byte[] Reseal(byte[] bytes)
    {
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        return bytes;
    }

    private static readonly SockFilter[] AllowAll = [Bpf.Ret(SeccompReturn.Allow)];

    public static TheoryData<string> Untrusted => new()
    {
        "file group-writable", "file world-writable", "file is a symlink", "file is a fifo", "file is a directory",
        "dir group-writable", "dir world-writable", "dir is a symlink", ".cache is a symlink",
        "tampered in place", "entry of another profile", "not ending in ret", "length not a multiple of 8", "over 4096 instructions",
        "jump out of range", "load outside seccomp_data", "unknown opcode", "file too large",
    };

    public static TheoryData<string> OwnedByAnotherUid => new() { "file owned by nobody", "dir owned by nobody", ".cache owned by nobody" };

    /// <summary>
    /// Each case plants an allow-everything filter where the cache would find it, then breaks one condition. The
    /// entry must not be used: CompileCached returns what a fresh compile returns. Where the directory is sound the
    /// entry is replaced by a good one; where it is not, nothing is written through it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Untrusted))]
    public void UntrustedCacheEntriesAreNotUsed(string defect) => CheckNotUsed(defect);

    [RootTheory]
    [MemberData(nameof(OwnedByAnotherUid))]
    public void CacheEntriesOwnedByAnotherUidAreNotUsed(string defect) => CheckNotUsed(defect);

    private static void CheckNotUsed(string defect)
    {
        var stateRoot = NewRoot();
        var cache = Path.Combine(stateRoot, ".cache");
        var dir = Path.Combine(cache, "seccomp");
        var elsewhere = Path.Combine(stateRoot, "elsewhere");
        try
        {
            Directory.CreateDirectory(cache, Rwx);
            var p = UniqueProfile();
            var key = SeccompCompiler.CacheKey(p);
            var fresh = SeccompCompiler.Compile(p);
            var file = Plant(dir, p, AllowAll);
            bool dirSuspicious = false, replaceable = true;
            switch (defect)
            {
                case "file group-writable": File.SetUnixFileMode(file, Rw | UnixFileMode.GroupWrite); break;
                case "file world-writable": File.SetUnixFileMode(file, Rw | UnixFileMode.OtherWrite); break;
                case "file owned by nobody": Chown(file, Nobody); break;
                case "file is a symlink":
                    File.Move(file, Path.Combine(dir, "target"));
                    File.CreateSymbolicLink(file, Path.Combine(dir, "target"));
                    break;
                case "file is a fifo":
                    File.Delete(file);
                    Assert.Equal(0, Carton.Linux.Interop.Libc.mkfifo(file, 0x180));
                    break;
                case "file is a directory":
                    File.Delete(file);
                    Directory.CreateDirectory(file, Rwx);
                    replaceable = false; // rename(2) cannot put a file over a directory; the entry just stays unused
                    break;
                case "dir group-writable": File.SetUnixFileMode(dir, Rwx | UnixFileMode.GroupWrite); dirSuspicious = true; break;
                case "dir world-writable": File.SetUnixFileMode(dir, Rwx | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute); dirSuspicious = true; break;
                case "dir owned by nobody": Chown(dir, Nobody); dirSuspicious = true; break;
                case "dir is a symlink":
                    Directory.Move(dir, elsewhere);
                    Directory.CreateSymbolicLink(dir, elsewhere);
                    dirSuspicious = true;
                    break;
                case ".cache is a symlink":
                    Directory.Move(cache, elsewhere);
                    Directory.CreateSymbolicLink(cache, elsewhere);
                    dirSuspicious = true;
                    break;
                case ".cache owned by nobody": Chown(cache, Nobody); dirSuspicious = true; break;
                case "tampered in place":
                {
                    // A real entry with every return patched to ALLOW, the digest left as it was.
                    var bytes = SeccompCompiler.Serialize(key, fresh);
                    for (int at = 48; at < 48 + 8 * fresh.Length; at += 8)
                        if (bytes[at] == Bpf.RET) BitConverter.TryWriteBytes(bytes.AsSpan(at + 4), SeccompReturn.Allow);
                    PlantBytes(dir, p, bytes);
                    break;
                }
                case "entry of another profile":
                {
                    var other = UniqueProfile();
                    var otherFile = Plant(dir, other, AllowAll);
                    File.Move(otherFile, file, overwrite: true);
                    break;
                }
                case "not ending in ret": Plant(dir, p, [Bpf.Ret(SeccompReturn.Allow), Bpf.LoadAbsolute(0)]); break;
                case "length not a multiple of 8":
                {
                    var bytes = SeccompCompiler.Serialize(key, AllowAll);
                    var longer = new byte[bytes.Length + 4];
                    bytes.AsSpan(0, bytes.Length - 32).CopyTo(longer);
                    PlantBytes(dir, p, Reseal(longer));
                    break;
                }
                case "over 4096 instructions": Plant(dir, p, Enumerable.Repeat(Bpf.Ret(SeccompReturn.Allow), Bpf.MaxInstructions + 1).ToArray()); break;
                case "jump out of range":
                    Plant(dir, p, [Bpf.LoadAbsolute(0), new SockFilter(Bpf.JMP | Bpf.JEQ, 0, 5, 0), Bpf.Ret(SeccompReturn.Allow)]);
                    break;
                case "load outside seccomp_data": Plant(dir, p, [Bpf.LoadAbsolute(64), Bpf.Ret(SeccompReturn.Allow)]); break;
                case "unknown opcode": Plant(dir, p, [new SockFilter(0x07 /* tax */, 0, 0, 0), Bpf.Ret(SeccompReturn.Allow)]); break;
                case "file too large":
                    PlantBytes(dir, p, Reseal([.. SeccompCompiler.Serialize(key, AllowAll), .. new byte[SeccompCompiler.MaxCacheFileSize]]));
                    break;
                default: throw new ArgumentException(defect);
            }
            var before = dirSuspicious ? Listing(stateRoot) : []; // (regular files and directories only there)

            Assert.Equal(fresh, SeccompCompiler.CompileCached(p, stateRoot, Sub));

            if (dirSuspicious)
            {
                Assert.Equal(before, Listing(stateRoot)); // nothing written through a suspicious directory
            }
            else if (replaceable)
            {
                // Replaced atomically by a good entry: a regular 0600 file owned by us, no temp files left.
                var st = new FileInfo(file);
                Assert.False(st.Attributes.HasFlag(FileAttributes.ReparsePoint));
                Assert.Equal(Rw, File.GetUnixFileMode(file));
                Assert.Equal(fresh, SeccompCompiler.Deserialize(File.ReadAllBytes(file), key));
                Assert.DoesNotContain(Directory.GetFileSystemEntries(dir), e => e.EndsWith(".tmp", StringComparison.Ordinal));
            }
            else Assert.DoesNotContain(Directory.GetFileSystemEntries(dir), e => e.EndsWith(".tmp", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(stateRoot, recursive: true);
        }
    }

    [Fact]
    public void WellFormedProgramsOnly()
    {
        Assert.True(SeccompCompiler.IsWellFormed(SeccompCompiler.Compile(DockerDefaultProfileTests.Load())));
        Assert.True(SeccompCompiler.IsWellFormed(AllowAll));
        Assert.False(SeccompCompiler.IsWellFormed([]));
        Assert.False(SeccompCompiler.IsWellFormed([Bpf.Ret(0), Bpf.LoadAbsolute(0)]));
        Assert.False(SeccompCompiler.IsWellFormed([Bpf.LoadAbsolute(2), Bpf.Ret(0)]));
        Assert.False(SeccompCompiler.IsWellFormed([new SockFilter(Bpf.JMP | Bpf.JA, 0, 0, 1), Bpf.Ret(0)]));
        Assert.True(SeccompCompiler.IsWellFormed([new SockFilter(Bpf.JMP | Bpf.JA, 0, 0, 1), Bpf.Ret(0), Bpf.Ret(1)]));
    }

    private static void Chown(string path, uint uid) =>
        Assert.Equal(0, Carton.Linux.Interop.Libc.fchownat(Carton.Linux.Interop.Libc.AT_FDCWD, path, uid, uid, Carton.Linux.Interop.Libc.AT_SYMLINK_NOFOLLOW));

    private static string[] Listing(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(Describe).Order(StringComparer.Ordinal)];

    private static string Describe(string e)
    {
        var f = new FileInfo(e);
        if (f.LinkTarget is { } link) return $"{e} -> {link}";
        if (Directory.Exists(e)) return $"{e}/ {File.GetUnixFileMode(e)}";
        return $"{e} {File.GetUnixFileMode(e)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(e)))}";
    }

    [Fact]
    public void SerializedFormatRejectsGarbage()
    {
        var program = new[] { Bpf.LoadAbsolute(0), new SockFilter(Bpf.JMP | Bpf.JEQ, 0, 1, 5), Bpf.Ret(1), Bpf.Ret(2) };
        var key = SeccompCompiler.CacheKey(UniqueProfile());
        var bytes = SeccompCompiler.Serialize(key, program);
        Assert.Equal(program, SeccompCompiler.Deserialize(bytes, key));
        Assert.Null(SeccompCompiler.Deserialize(bytes.AsSpan(0, bytes.Length - 1), key));
        var wrongVersion = (byte[])bytes.Clone();
        wrongVersion[8] ^= 0xff;
        Assert.Null(SeccompCompiler.Deserialize(Reseal(wrongVersion), key));
        var wrongCount = (byte[])bytes.Clone();
        wrongCount[12]--;
        Assert.Null(SeccompCompiler.Deserialize(Reseal(wrongCount), key));
        var flipped = (byte[])bytes.Clone();
        flipped[^40] ^= 1;
        Assert.Null(SeccompCompiler.Deserialize(flipped, key));
        Assert.Null(SeccompCompiler.Deserialize([], key));
    }
}

/// <summary>Skipped unless running as root (chown to another uid).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (Carton.Linux.Interop.Libc.geteuid() != 0) Skip = "needs root (chown to nobody)";
    }
}
