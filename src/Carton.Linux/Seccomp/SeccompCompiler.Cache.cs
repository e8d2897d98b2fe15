using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Carton.Linux.Interop;
using Carton.Oci;

namespace Carton.Linux.Seccomp;

public static partial class SeccompCompiler
{
    /// <summary>
    /// Version of the compiled output, part of every cache key: bump it whenever code generation or semantics change
    /// so filters cached by an older carton are never reused.
    /// </summary>
    public const int FormatVersion = 3; // 2: 32-bit args on x86 and x32; 3: key and SHA-256 in the file

    private static readonly ConcurrentDictionary<string, SockFilter[]> Memory = new(StringComparer.Ordinal);
    private static ReadOnlySpan<byte> Magic => "CSBPF\0\0\0"u8;

    /// <summary>File layout: magic (8), u32 format version, u32 count, cache key (32), count × 8-byte sock_filter, SHA-256 of all before (32).</summary>
    private const int HeaderSize = 16 + KeySize, KeySize = 32, DigestSize = 32;

    /// <summary>Largest cache file accepted: a program of <see cref="Bpf.MaxInstructions"/> instructions.</summary>
    internal const int MaxCacheFileSize = HeaderSize + 8 * Bpf.MaxInstructions + DigestSize;

    private const uint DirectoryMode = 0x1C0 /* 0700 */, FileMode = 0x180 /* 0600 */, GroupOrWorldWritable = 0x12 /* 022 */;

    /// <summary>
    /// <see cref="Compile(LinuxSeccomp, uint)"/> through a cache keyed by <see cref="CacheKey"/>: first in memory, then
    /// <c><paramref name="root"/>/<paramref name="cacheDirectory"/>/&lt;key&gt;.bpf</c> (carton uses
    /// <c>&lt;state root&gt;/.cache/seccomp</c>) so separate CLI invocations reuse compiled filters. Whoever can write
    /// that file decides the filter loaded into containers, so an entry is used only when (checked with fstat on
    /// the opened fds, not on paths):
    /// <list type="bullet">
    /// <item>every directory below <paramref name="root"/> and the file itself was opened with O_NOFOLLOW (no symlink
    /// anywhere under the root; the root itself is the caller's trusted path);</item>
    /// <item>each of those directories and the file is owned by the effective uid and not group- or world-writable,
    /// the directories are directories and the file a regular file of at most <see cref="MaxCacheFileSize"/> bytes;</item>
    /// <item>the file parses: magic, <see cref="FormatVersion"/>, the key it was written for equals the key looked
    /// up, the SHA-256 over its contents matches, and the program is well formed (<see cref="IsWellFormed"/>: a
    /// multiple of 8 bytes, 1..4096 instructions, only the opcodes the compiler emits, jumps and loads in range,
    /// ending in a return).</item>
    /// </list>
    /// Anything else is ignored silently and the profile recompiled. The cache is then rewritten, unless a directory
    /// on the way is suspicious (nothing is written through it): missing directories are created 0700, the file
    /// 0600, written atomically (O_EXCL temp name unique per writer, fsync, renameat, fsync of the directory).
    /// Failing to write the cache is not an error. Returns a fresh array each call.
    /// </summary>
    /// <param name="root">Trusted existing directory (the state root); null for the in-memory cache only. Not created.</param>
    /// <param name="cacheDirectory">Relative path under <paramref name="root"/>, '/'-separated plain names (no "", ".", "..").</param>
    public static SockFilter[] CompileCached(LinuxSeccomp profile, string? root, string cacheDirectory, uint badArchAction = DefaultBadArchAction)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(cacheDirectory);
        var components = cacheDirectory.Split('/');
        if (components.Any(c => c is "" or "." or ".."))
            throw new ArgumentException($"\"{cacheDirectory}\" must be a relative path of plain names", nameof(cacheDirectory));

        var key = CacheKey(profile, badArchAction);
        if (Memory.TryGetValue(key, out var hit)) return (SockFilter[])hit.Clone();

        int dir = -1;
        try
        {
            if (root is not null)
            {
                dir = OpenCacheDirectory(root, components, create: false);
                if (dir >= 0 && TryReadCacheFile(dir, key) is { } cached)
                {
                    Memory[key] = cached;
                    return (SockFilter[])cached.Clone();
                }
            }

            var program = Compile(profile, badArchAction);
            Memory[key] = program;
            if (root is not null)
            {
                if (dir < 0) dir = OpenCacheDirectory(root, components, create: true);
                if (dir >= 0) TryWriteCacheFile(dir, key, program);
            }
            return (SockFilter[])program.Clone();
        }
        finally
        {
            if (dir >= 0) Libc.close(dir);
        }
    }

    /// <summary>
    /// Lower-case hex SHA-256 of the profile's canonical JSON: the fields that shape the program (defaultAction,
    /// defaultErrnoRet, architectures, syscalls in order), plus <see cref="FormatVersion"/>, the syscall table
    /// fingerprint and the bad-arch action. Flags and listener settings do not change the program and are left out.
    /// </summary>
    public static string CacheKey(LinuxSeccomp profile, uint badArchAction = DefaultBadArchAction)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", FormatVersion);
            w.WriteString("table", SyscallTable.Fingerprint);
            w.WriteNumber("badArch", badArchAction);
            WriteStringOrNull(w, "defaultAction", profile.DefaultAction);
            WriteNumberOrNull(w, "defaultErrnoRet", profile.DefaultErrnoRet);
            w.WriteStartArray("architectures");
            foreach (var a in profile.Architectures ?? []) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteStartArray("syscalls");
            foreach (var s in profile.Syscalls ?? [])
            {
                if (s is null) { w.WriteNullValue(); continue; }
                w.WriteStartObject();
                w.WriteStartArray("names");
                foreach (var n in s.Names ?? []) w.WriteStringValue(n);
                w.WriteEndArray();
                WriteStringOrNull(w, "action", s.Action);
                WriteNumberOrNull(w, "errnoRet", s.ErrnoRet);
                w.WriteStartArray("args");
                foreach (var a in s.Args ?? [])
                {
                    if (a is null) { w.WriteNullValue(); continue; }
                    w.WriteStartObject();
                    w.WriteNumber("index", a.Index);
                    w.WriteNumber("value", a.Value);
                    w.WriteNumber("valueTwo", a.ValueTwo);
                    WriteStringOrNull(w, "op", a.Op);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, uint? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>The cache file for <paramref name="key"/> (see <see cref="HeaderSize"/> for the layout).</summary>
    internal static byte[] Serialize(string key, SockFilter[] program)
    {
        var bytes = new byte[HeaderSize + 8 * program.Length + DigestSize];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)program.Length);
        Convert.FromHexString(key).CopyTo(bytes.AsSpan(16, KeySize));
        for (int i = 0; i < program.Length; i++)
        {
            var s = bytes.AsSpan(HeaderSize + 8 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(s, program[i].Code);
            s[2] = program[i].Jt;
            s[3] = program[i].Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(s[4..], program[i].K);
        }
        int body = bytes.Length - DigestSize;
        SHA256.HashData(bytes.AsSpan(0, body), bytes.AsSpan(body));
        return bytes;
    }

    /// <summary>The program in a cache file written for <paramref name="key"/>, or null when anything about it is off.</summary>
    internal static SockFilter[]? Deserialize(ReadOnlySpan<byte> bytes, string key)
    {
        if (bytes.Length < HeaderSize + DigestSize || bytes.Length > MaxCacheFileSize || !bytes[..8].SequenceEqual(Magic)) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]) != FormatVersion) return null;
        int payload = bytes.Length - HeaderSize - DigestSize;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (payload % 8 != 0 || count != payload / 8) return null;
        if (key.Length != 2 * KeySize || !bytes.Slice(16, KeySize).SequenceEqual(Convert.FromHexString(key))) return null;
        Span<byte> digest = stackalloc byte[DigestSize];
        SHA256.HashData(bytes[..^DigestSize], digest);
        if (!CryptographicOperations.FixedTimeEquals(digest, bytes[^DigestSize..])) return null;
        var program = new SockFilter[count];
        for (int i = 0; i < program.Length; i++)
        {
            var s = bytes[(HeaderSize + 8 * i)..];
            program[i] = new SockFilter(BinaryPrimitives.ReadUInt16LittleEndian(s), s[2], s[3], BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
        }
        return IsWellFormed(program) ? program : null;
    }

    /// <summary>
    /// True when <paramref name="program"/> has the shape the compiler produces and the kernel accepts: 1..4096
    /// instructions, only <c>ld [k]</c> (aligned, inside seccomp_data), <c>and #k</c>, <c>ja</c>, <c>jeq/jgt/jge/jset #k</c>
    /// (targets inside the program) and <c>ret #k</c>, ending in a return.
    /// </summary>
    internal static bool IsWellFormed(ReadOnlySpan<SockFilter> program)
    {
        if (program.Length is 0 or > Bpf.MaxInstructions) return false;
        if (program[^1].Code != (Bpf.RET | Bpf.K)) return false;
        for (int pc = 0; pc < program.Length; pc++)
        {
            var i = program[pc];
            bool ok = i.Code switch
            {
                Bpf.LD | Bpf.W | Bpf.ABS => i.K % 4 == 0 && i.K < SeccompData.Size,
                Bpf.ALU | Bpf.AND | Bpf.K or Bpf.RET | Bpf.K => true,
                Bpf.JMP | Bpf.JA => pc + 1L + i.K < program.Length,
                Bpf.JMP | Bpf.JEQ | Bpf.K or Bpf.JMP | Bpf.JGT | Bpf.K or Bpf.JMP | Bpf.JGE | Bpf.K or Bpf.JMP | Bpf.JSET | Bpf.K =>
                    pc + 1 + i.Jt < program.Length && pc + 1 + i.Jf < program.Length,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>
    /// Opens <paramref name="root"/> (following symlinks: it is the caller's trusted path), then each component below
    /// it with O_NOFOLLOW|O_DIRECTORY, creating missing ones 0700 when <paramref name="create"/>. Returns the fd of
    /// the last one, or -1 when a component is missing, a symlink, or not <see cref="IsTrusted"/>.
    /// </summary>
    private static int OpenCacheDirectory(string root, string[] components, bool create)
    {
        int fd = Libc.open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) return -1;
        foreach (var name in components)
        {
            const int flags = Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
            int next = Libc.openat(fd, name, flags, 0);
            if (next < 0 && create && Marshal.GetLastPInvokeError() == Errno.ENOENT
                && (Libc.mkdirat(fd, name, DirectoryMode) == 0 || Marshal.GetLastPInvokeError() == Errno.EEXIST))
                next = Libc.openat(fd, name, flags, 0);
            Libc.close(fd);
            if (next < 0) return -1;
            if (!IsTrusted(next, Libc.S_IFDIR, out _))
            {
                Libc.close(next);
                return -1;
            }
            fd = next;
        }
        return fd;
    }

    /// <summary>fstat: of type <paramref name="type"/>, owned by the effective uid, not group- or world-writable.</summary>
    private static bool IsTrusted(int fd, int type, out long size)
    {
        size = 0;
        if (!Carton.Linux.IO.FileStatus.TryOf(fd, out var st)) return false;
        size = st.Size;
        return st.Type == (uint)type && st.Uid == Libc.geteuid() && (st.Mode & GroupOrWorldWritable) == 0;
    }

    private static unsafe SockFilter[]? TryReadCacheFile(int dir, string key)
    {
        // O_NONBLOCK: a FIFO planted under the name must not block the open (it then fails the S_IFREG check).
        int fd = Libc.openat(dir, key + ".bpf", Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NONBLOCK, 0);
        if (fd < 0) return null;
        try
        {
            if (!IsTrusted(fd, Libc.S_IFREG, out long size) || size > MaxCacheFileSize) return null;
            var bytes = new byte[size + 1]; // one more: a file that grew since fstat is rejected
            int total = 0;
            fixed (byte* p = bytes)
            {
                while (total < bytes.Length)
                {
                    nint n = Libc.read(fd, p + total, (nuint)(bytes.Length - total));
                    if (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    if (n <= 0) break;
                    total += (int)n;
                }
            }
            return total == size ? Deserialize(bytes.AsSpan(0, total), key) : null;
        }
        finally
        {
            Libc.close(fd);
        }
    }

    private static unsafe void TryWriteCacheFile(int dir, string key, SockFilter[] program)
    {
        string name = key + ".bpf";
        string tmp = $".{name}.{Environment.ProcessId}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
        int fd = Libc.openat(dir, tmp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, FileMode);
        if (fd < 0) return;
        bool ok = true;
        var bytes = Serialize(key, program);
        fixed (byte* p = bytes)
        {
            int done = 0;
            while (ok && done < bytes.Length)
            {
                nint n = Libc.write(fd, p + done, (nuint)(bytes.Length - done));
                if (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                if (n <= 0) ok = false;
                else done += (int)n;
            }
        }
        ok = ok && Libc.fsync(fd) == 0;
        ok = Libc.close(fd) == 0 && ok;
        if (ok)
        {
            var from = Libc.Utf8Z(tmp);
            var to = Libc.Utf8Z(name);
            fixed (byte* f = from) fixed (byte* t = to)
                ok = Libc.renameat(dir, f, dir, t) == 0;
        }
        if (ok) Libc.fsync(dir); // the rename itself durable; best effort
        else Libc.unlinkat(dir, tmp, 0);
    }
}
