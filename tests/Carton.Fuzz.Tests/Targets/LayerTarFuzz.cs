using System.Formats.Tar;
using Carton.Fuzz.Tests.Harness;
using Carton.Images.Linux.Unpack;
using CsCheck;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// Layer tars as the unpacker reads them: LayerUnpacker.Unpack (TarReader's headers through TarTap, entry names
/// through EntryPath, pax records, whiteouts, links) into a fresh directory on /dev/shm, rootless so no device node
/// is made. Bad input: a <see cref="LayerException"/>. Also a finding: anything written beside the target (an
/// entry that escaped the root), checked after every input.
/// </summary>
public sealed class LayerTarFuzz(ITestOutputHelper output)
{
    private static readonly string[] Names =
    [
        "a", "a/b", "./a", "a/", "/abs", "..", "../x", "a/../../x", "a/./b", ".wh.a", "a/.wh..wh..opq", ".wh..wh..opq", ".wh.",
        "a/.wh.b", "up/x", "link/x", "a\0b", "", ".", "/", "//", new string('n', 255), new string('n', 256) + "/x",
        string.Concat(Enumerable.Repeat("d/", 200)) + "f", "é/日本", "dev/null", "proc/self",
    ];

    private static readonly TarEntryType[] Types =
    [
        TarEntryType.RegularFile, TarEntryType.Directory, TarEntryType.SymbolicLink, TarEntryType.HardLink,
        TarEntryType.CharacterDevice, TarEntryType.BlockDevice, TarEntryType.Fifo, TarEntryType.V7RegularFile,
    ];

    private sealed record Entry(int Format, TarEntryType Type, string Name, string Link, int Mode, int Uid, int Size, bool Xattr);

    private static readonly Gen<string> Name = Gen.Frequency((3, Gen.OneOf(Names)), (1, Gen.String[0, 40]));
    private static readonly Gen<Entry> EntryGen = Gen.Select(Gen.Int[0, 2], Gen.OneOf(Types), Name, Name,
        Gen.Int[0, 0xFFF], Gen.OneOf(0, 1000, 65534, int.MaxValue), Gen.Int[0, 2000], Gen.Bool,
        (f, t, n, l, m, u, s, x) => new Entry(f, t, n, l, m, u, s, x));

    /// <summary>Archives of 1 to 8 random entries, written with each of TarWriter's formats.</summary>
    private static readonly Gen<byte[]> Structured = EntryGen.Array[1, 8].Select(Write);

    private static byte[] Write(Entry[] entries)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                try
                {
                    TarEntry entry = e.Format switch
                    {
                        0 => new PaxTarEntry(e.Type == TarEntryType.V7RegularFile ? TarEntryType.RegularFile : e.Type, e.Name,
                            e.Xattr ? new Dictionary<string, string> { ["SCHILY.xattr.user.fuzz"] = e.Link, ["mtime"] = "1700000000.5" } : new Dictionary<string, string>()),
                        1 => new GnuTarEntry(e.Type == TarEntryType.V7RegularFile ? TarEntryType.RegularFile : e.Type, e.Name),
                        _ => new UstarTarEntry(e.Type == TarEntryType.V7RegularFile ? TarEntryType.RegularFile : e.Type, e.Name),
                    };
                    entry.Mode = (UnixFileMode)e.Mode;
                    entry.Uid = e.Uid;
                    entry.Gid = e.Uid;
                    if (e.Type is TarEntryType.SymbolicLink or TarEntryType.HardLink) entry.LinkName = e.Link;
                    if (entry.EntryType == TarEntryType.RegularFile) entry.DataStream = new MemoryStream(new byte[e.Size]);
                    w.WriteEntry(entry);
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
                {
                    // a name or link the format cannot hold: TarWriter refuses it; the mutator reaches such headers
                }
            }
        }
        return ms.ToArray();
    }

    // tmpfs: the unpack's mkdir/write/unlink per input would otherwise be the campaign's bottleneck
    private static readonly string Work = MakeWork();

    private static string MakeWork()
    {
        var dir = Directory.CreateDirectory(Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
            $"fuzz-tar-{Environment.ProcessId}")).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return dir;
    }
    private static long _next;

    public static FuzzTarget Target { get; } = new("layer-tar", Structured, Exercise, e => e is LayerException);

    private static void Exercise(byte[] input)
    {
        // <work>/<n>/a/b/target: an entry that escapes target lands in b, a or <n>, which must stay as made
        var top = Path.Combine(Work, Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var parent = Path.Combine(top, "a", "b");
        Directory.CreateDirectory(parent);
        var target = Path.Combine(parent, "target");
        try
        {
            LayerUnpacker.Unpack(new MemoryStream(input, writable: false), target,
                new UnpackOptions { Rootless = true, Sync = false, LayerName = "fuzz" });
        }
        finally
        {
            string[] beside = [.. Directory.EnumerateFileSystemEntries(top).Select(n => Path.GetFileName(n)).Where(n => n != "a"),
                .. Directory.EnumerateFileSystemEntries(Path.Combine(top, "a")).Select(n => Path.GetFileName(n)).Where(n => n != "b"),
                .. Directory.EnumerateFileSystemEntries(parent).Select(n => Path.GetFileName(n)).Where(n => n != "target")];
            Directory.Delete(top, recursive: true);
            if (beside.Length > 0) throw new InvalidOperationException($"the unpack wrote outside its target: {string.Join(", ", beside)}");
        }
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
