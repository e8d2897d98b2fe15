using System.Formats.Tar;
using System.Text;

namespace Carton.Images.Linux.Tests.Support;

/// <summary>
/// Builds a layer tar in memory with System.Formats.Tar's TarWriter (PAX format). Entries with binary xattrs
/// (security.capability) are written by hand, a PAX header with raw SCHILY.xattr records and a ustar header:
/// TarWriter takes xattr values as strings and would encode them as UTF-8.
/// </summary>
public sealed class TarBuilder
{
    public static readonly DateTimeOffset DefaultTime = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private readonly MemoryStream _stream = new();
    private readonly TarWriter _writer;
    private bool _wroteEntry;

    public TarBuilder() => _writer = new TarWriter(_stream, TarEntryFormat.Pax, leaveOpen: true);

    public TarBuilder Dir(string name, int mode = 0x1ED, int uid = 0, int gid = 0, DateTimeOffset? mtime = null, Dictionary<string, string>? xattrs = null)
        => Add(new PaxTarEntry(TarEntryType.Directory, name.EndsWith('/') ? name : name + "/", xattrs ?? []), mode, uid, gid, mtime);

    public TarBuilder File(string name, string content, int mode = 0x1A4, int uid = 0, int gid = 0, DateTimeOffset? mtime = null, Dictionary<string, string>? xattrs = null)
        => File(name, Encoding.UTF8.GetBytes(content), mode, uid, gid, mtime, xattrs);

    public TarBuilder File(string name, byte[] content, int mode = 0x1A4, int uid = 0, int gid = 0, DateTimeOffset? mtime = null, Dictionary<string, string>? xattrs = null)
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, name, xattrs ?? []) { DataStream = new MemoryStream(content) };
        return Add(e, mode, uid, gid, mtime);
    }

    public TarBuilder Symlink(string name, string target, int uid = 0, int gid = 0, DateTimeOffset? mtime = null)
        => Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target }, 0x1FF, uid, gid, mtime);

    public TarBuilder Hardlink(string name, string target)
        => Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target }, 0x1A4, 0, 0, null);

    public TarBuilder CharDevice(string name, int major, int minor, int mode = 0x1B6, int uid = 0, int gid = 0)
        => Add(new PaxTarEntry(TarEntryType.CharacterDevice, name) { DeviceMajor = major, DeviceMinor = minor }, mode, uid, gid, null);

    public TarBuilder BlockDevice(string name, int major, int minor, int mode = 0x1B0, int uid = 0, int gid = 0)
        => Add(new PaxTarEntry(TarEntryType.BlockDevice, name) { DeviceMajor = major, DeviceMinor = minor }, mode, uid, gid, null);

    public TarBuilder Fifo(string name, int mode = 0x180, int uid = 0, int gid = 0)
        => Add(new PaxTarEntry(TarEntryType.Fifo, name), mode, uid, gid, null);

    /// <summary>".wh.NAME" next to NAME (layer.md#whiteouts): an empty regular file.</summary>
    public TarBuilder Whiteout(string path)
    {
        int slash = path.LastIndexOf('/');
        return File(slash < 0 ? ".wh." + path : path[..(slash + 1)] + ".wh." + path[(slash + 1)..], "");
    }

    /// <summary>"DIR/.wh..wh..opq" (layer.md#opaque-whiteout).</summary>
    public TarBuilder Opaque(string dir) => File(dir.Length == 0 ? ".wh..wh..opq" : dir.TrimEnd('/') + "/.wh..wh..opq", "");

    private TarBuilder Add(PaxTarEntry e, int mode, int uid, int gid, DateTimeOffset? mtime)
    {
        e.Mode = (UnixFileMode)mode;
        e.Uid = uid;
        e.Gid = gid;
        e.ModificationTime = mtime ?? DefaultTime;
        _writer.WriteEntry(e);
        _wroteEntry = true;
        return this;
    }

    /// <summary>A regular file whose PAX header carries xattrs as raw bytes (binary values intact), written by hand.</summary>
    public TarBuilder FileWithRawXattrs(string name, byte[] content, IReadOnlyDictionary<string, byte[]> xattrs, int mode = 0x1ED, int uid = 0, int gid = 0)
    {
        var records = new Dictionary<string, byte[]>();
        foreach (var (key, value) in xattrs) records["SCHILY.xattr." + key] = value;
        return FileWithRawPax(name, content, records, mode, uid, gid);
    }

    /// <summary>A regular file after a hand-written PAX header with exactly these records (TarWriter would replace
    /// the standard ones, such as uid, with the entry's own fields).</summary>
    public TarBuilder FileWithRawPax(string name, byte[] content, IReadOnlyDictionary<string, byte[]> paxRecords, int mode = 0x1ED, int uid = 0, int gid = 0)
    {
        var records = new MemoryStream();
        foreach (var (key, value) in paxRecords) Record(records, key, value);
        var pax = records.ToArray();
        WriteRaw(Header("PaxHeaders/" + name, 0x1A4, 0, 0, pax.Length, (byte)'x', DefaultTime), pax);
        WriteRaw(Header(name, mode, uid, gid, content.Length, (byte)'0', DefaultTime), content);
        return this;
    }

    /// <summary>Raw bytes into the archive between entries (a hand-made header, a corrupt block).</summary>
    public TarBuilder Raw(byte[] bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    private void WriteRaw(byte[] header, byte[] data)
    {
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(new byte[(512 - data.Length % 512) % 512]);
    }

    /// <summary>"LEN KEY=VALUE\n", LEN counting its own digits.</summary>
    private static void Record(Stream s, string key, byte[] value)
    {
        int body = 1 + Encoding.UTF8.GetByteCount(key) + 1 + value.Length + 1;
        int len = body + 1;
        while (len.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + body != len) len++;
        s.Write(Encoding.ASCII.GetBytes(len.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + key + "="));
        s.Write(value);
        s.WriteByte((byte)'\n');
    }

    /// <summary>A ustar header block (name up to 100 bytes).</summary>
    public static byte[] Header(string name, int mode, int uid, int gid, long size, byte type, DateTimeOffset mtime, string linkName = "")
    {
        var h = new byte[512];
        var n = Encoding.UTF8.GetBytes(name);
        if (n.Length > 100) n = n[..100];
        n.CopyTo(h, 0);
        Octal(h, 100, 8, mode);
        Octal(h, 108, 8, uid);
        Octal(h, 116, 8, gid);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, mtime.ToUnixTimeSeconds());
        h[156] = type;
        Encoding.UTF8.GetBytes(linkName).CopyTo(h, 157);
        Encoding.ASCII.GetBytes("ustar\0").CopyTo(h, 257);
        h[263] = (byte)'0';
        h[264] = (byte)'0';
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        long sum = 0;
        foreach (var b in h) sum += b;
        Octal(h, 148, 7, sum);
        h[155] = (byte)' ';
        return h;
    }

    private static void Octal(byte[] h, int offset, int length, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(h, offset);
        h[offset + length - 1] = 0;
    }

    /// <summary>The finished archive (end-of-archive blocks written).</summary>
    public byte[] Build()
    {
        _writer.Dispose();
        // TarWriter writes the end-of-archive blocks only after an entry of its own.
        if (!_wroteEntry) _stream.Write(new byte[1024]);
        return _stream.ToArray();
    }

    /// <summary>The archive without TarWriter's end-of-archive blocks: for archives that end abruptly on purpose.</summary>
    public byte[] BuildWithoutEnd()
    {
        _stream.Flush();
        return _stream.ToArray();
    }

    /// <summary>The DiffID of an uncompressed layer.</summary>
    public static string DiffId(byte[] tar) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tar));

    /// <summary>gzip of a tar, as a registry serves a layer.</summary>
    public static byte[] Gzip(byte[] tar)
    {
        var output = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) gz.Write(tar);
        return output.ToArray();
    }

    /// <summary>A LayerSource over the gzip of <paramref name="tar"/>, decompressed with GZipStream on open.</summary>
    public static LayerSource Source(byte[] tar, Action? onOpen = null)
    {
        var gz = Gzip(tar);
        return new LayerSource(DiffId(tar), () =>
        {
            onOpen?.Invoke();
            return new System.IO.Compression.GZipStream(new MemoryStream(gz), System.IO.Compression.CompressionMode.Decompress);
        });
    }
}
