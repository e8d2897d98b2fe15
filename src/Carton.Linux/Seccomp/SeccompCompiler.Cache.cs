using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Carton.Oci;

namespace Carton.Linux.Seccomp;

public static partial class SeccompCompiler
{
    /// <summary>
    /// Version of the compiled output, part of every cache key: bump it whenever code generation or semantics change
    /// so filters cached by an older carton are never reused.
    /// </summary>
    public const int FormatVersion = 2; // 2: 32-bit argument comparisons on x86 and x32

    private static readonly ConcurrentDictionary<string, SockFilter[]> Memory = new(StringComparer.Ordinal);
    private static ReadOnlySpan<byte> Magic => "CSBPF\0\0\0"u8;

    /// <summary>
    /// <see cref="Compile(LinuxSeccomp, uint)"/> through a cache keyed by <see cref="CacheKey"/>: first in memory, then
    /// <c><paramref name="cacheDirectory"/>/&lt;key&gt;.bpf</c> (e.g. /run/carton/seccomp-cache) so separate CLI
    /// invocations reuse compiled filters. A missing, unreadable or malformed cache file is recompiled and rewritten
    /// (atomically: temp file + rename); failing to write the cache is not an error. The directory is created 0700:
    /// whoever can write it decides the filters loaded into containers, so it must be root-only.
    /// Returns a fresh array each call.
    /// </summary>
    public static SockFilter[] CompileCached(LinuxSeccomp profile, string? cacheDirectory, uint badArchAction = DefaultBadArchAction)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var key = CacheKey(profile, badArchAction);
        if (Memory.TryGetValue(key, out var hit)) return (SockFilter[])hit.Clone();

        string? file = cacheDirectory is null ? null : Path.Combine(cacheDirectory, key + ".bpf");
        if (file is not null && TryReadCacheFile(file) is { } cached)
        {
            Memory[key] = cached;
            return (SockFilter[])cached.Clone();
        }

        var program = Compile(profile, badArchAction);
        Memory[key] = program;
        if (file is not null) TryWriteCacheFile(cacheDirectory!, file, program);
        return (SockFilter[])program.Clone();
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

    /// <summary>File format: "CSBPF\0\0\0", u32 format version, u32 count, count × 8-byte sock_filter (little-endian).</summary>
    internal static byte[] Serialize(SockFilter[] program)
    {
        var bytes = new byte[16 + 8 * program.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)program.Length);
        for (int i = 0; i < program.Length; i++)
        {
            var s = bytes.AsSpan(16 + 8 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(s, program[i].Code);
            s[2] = program[i].Jt;
            s[3] = program[i].Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(s[4..], program[i].K);
        }
        return bytes;
    }

    internal static SockFilter[]? Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16 || !bytes[..8].SequenceEqual(Magic)) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]) != FormatVersion) return null;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (count == 0 || count > Bpf.MaxInstructions || bytes.Length != 16 + 8 * (long)count) return null;
        var program = new SockFilter[count];
        for (int i = 0; i < program.Length; i++)
        {
            var s = bytes[(16 + 8 * i)..];
            program[i] = new SockFilter(BinaryPrimitives.ReadUInt16LittleEndian(s), s[2], s[3], BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
        }
        return program;
    }

    private static SockFilter[]? TryReadCacheFile(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists || info.Length > 16 + 8 * Bpf.MaxInstructions) return null;
            return Deserialize(File.ReadAllBytes(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryWriteCacheFile(string directory, string file, SockFilter[] program)
    {
        string tmp = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using (var fs = new FileStream(tmp, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            {
                fs.Write(Serialize(program));
            }
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception e2) when (e2 is IOException or UnauthorizedAccessException) { }
        }
    }
}
