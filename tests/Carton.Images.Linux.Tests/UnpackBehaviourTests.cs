using System.Formats.Tar;
using Carton.Images.Linux.Tests.Support;
using Carton.Images.Linux.Unpack;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Tests;

/// <summary>Id mapping, the DiffID, error messages, and why the PAX xattrs are read from the raw bytes.</summary>
public sealed class UnpackBehaviourTests
{
    private static readonly IdRange[] Map = [new(0, 100000, 1000), new(1000, 200000, 10)];

    [Fact]
    public void IdMap_ShiftsEveryOwner_SymlinksAndDevicesIncluded()
    {
        using var dir = new TestDirectory("ids");
        var tar = new TarBuilder()
            .Dir("./", uid: 0, gid: 0)
            .File("root-file", "r", uid: 0, gid: 0)
            .File("user-file", "u", uid: 1005, gid: 999)
            .Symlink("link", "root-file", uid: 1001, gid: 1002)
            .CharDevice("null", 1, 3, uid: 7, gid: 8)
            .Build();
        LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("l"), new UnpackOptions { UidMap = Map, GidMap = Map });
        static (uint, uint) Owner(string p) { var st = FileStatus.OfPath(p, followSymlinks: false)!.Value; return (st.Uid, st.Gid); }
        Assert.Equal((100000u, 100000u), Owner(dir.Sub("l")));
        Assert.Equal((100000u, 100000u), Owner(dir.Sub("l/root-file")));
        Assert.Equal((200005u, 100999u), Owner(dir.Sub("l/user-file")));
        Assert.Equal((200001u, 200002u), Owner(dir.Sub("l/link")));
        Assert.Equal((100007u, 100008u), Owner(dir.Sub("l/null")));
    }

    [Fact]
    public void IdMap_AnIdOutsideTheMap_FailsNamingTheEntryAndTheMap_AndLeavesNothing()
    {
        using var dir = new TestDirectory("ids2");
        var tar = new TarBuilder().File("ok", "1", uid: 5).File("etc/too-high", "x", uid: 1010, gid: 3).Build();
        var e = Assert.Throws<LayerException>(() =>
            LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("l"), new UnpackOptions { UidMap = Map, GidMap = Map, LayerName = "layer-under-test" }));
        Assert.Equal("etc/too-high", e.Entry);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("layer layer-under-test: entry \"etc/too-high\": uid 1010 is outside the uid mapping (0-999 → 100000-100999, 1000-1009 → 200000-200009)", e.Message);
        Assert.False(Directory.Exists(dir.Sub("l")));
    }

    [Fact]
    public void DiffId_IsTheDigestOfEveryByte_TrailingPaddingIncluded()
    {
        using var dir = new TestDirectory("diffid");
        // GNU tar pads an archive to 10 KiB records: the zeros after the end-of-archive blocks are part of the blob.
        var tar = new TarBuilder().File("a", "a").Build();
        var padded = new byte[tar.Length + 8192];
        tar.CopyTo(padded, 0);
        var result = LayerUnpacker.Unpack(new MemoryStream(padded), dir.Sub("l"), new UnpackOptions { ExpectedDiffId = TarBuilder.DiffId(padded) });
        Assert.Equal(TarBuilder.DiffId(padded), result.DiffId);
        Assert.NotEqual(TarBuilder.DiffId(tar), result.DiffId);
    }

    /// <summary>Defence "layer-diffid-check": a layer whose content is not what the image config says is refused,
    /// naming the layer and both digests, and leaves nothing behind.</summary>
    [Fact]
    public void Attack_DiffIdMismatch_IsRefusedNamingBothDigests_AndLeavesNothing()
    {
        using var dir = new TestDirectory("diffid2");
        var genuine = new TarBuilder().File("bin/sh", "genuine").Build();
        var swapped = new TarBuilder().File("bin/sh", "swapped").Build();
        var expected = TarBuilder.DiffId(genuine);
        var e = Assert.Throws<LayerException>(() =>
            LayerUnpacker.Unpack(new MemoryStream(swapped), dir.Sub("l"), new UnpackOptions { ExpectedDiffId = expected }));
        Assert.Equal($"layer {expected}: the uncompressed layer's digest is {TarBuilder.DiffId(swapped)}, the image says its DiffID is {expected}", e.Message);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.False(Directory.Exists(dir.Sub("l")));
    }

    [Fact]
    public void ExistingTarget_IsNotMergedInto()
    {
        using var dir = new TestDirectory("exists");
        Directory.CreateDirectory(dir.Sub("l"));
        File.WriteAllText(dir.Sub("l/mine"), "mine");
        var e = Assert.Throws<LayerException>(() => LayerUnpacker.Unpack(new MemoryStream(new TarBuilder().File("a", "a").Build()), dir.Sub("l"), new UnpackOptions()));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Equal("mine", File.ReadAllText(dir.Sub("l/mine")));
    }

    [Fact]
    public void TarReaderAloneLosesABinaryCapability_TheUnpackKeepsIt()
    {
        // Why Carton reads PAX xattrs from the raw bytes (PaxRecords): TarReader decodes values as UTF-8.
        var tar = new TarBuilder().FileWithRawXattrs("ping", [1, 2], new Dictionary<string, byte[]> { ["security.capability"] = UnpackDifferentialTests.Capability }).Build();
        using (var reader = new TarReader(new MemoryStream(tar)))
        {
            var entry = (PaxTarEntry)reader.GetNextEntry()!;
            var decoded = entry.ExtendedAttributes["SCHILY.xattr.security.capability"];
            Assert.NotEqual(UnpackDifferentialTests.Capability, System.Text.Encoding.UTF8.GetBytes(decoded));
            Assert.Contains('\uFFFD', decoded);
        }
        using var dir = new TestDirectory("cap");
        LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("l"), new UnpackOptions());
        Assert.Equal(UnpackDifferentialTests.Capability, ExtendedAttributes.Get(dir.Sub("l/ping"), "security.capability"));
    }

    [Fact]
    public void UnsupportedEntryType_IsAnErrorNamingIt()
    {
        using var dir = new TestDirectory("type");
        var h = TarBuilder.Header("vol", 0x1A4, 0, 0, 0, (byte)'V', TarBuilder.DefaultTime);
        var tar = new TarBuilder().File("a", "a").Raw(h).Build();
        var e = Assert.Throws<LayerException>(() => LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("l"), new UnpackOptions()));
        Assert.Equal("vol", e.Entry);
        Assert.Contains("TapeVolume", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("l")));
    }

    [Fact]
    public void AbsoluteNames_LandUnderTheRoot()
    {
        // containerd's behaviour (and GNU tar's, which strips the leading "/"): not refused.
        using var dir = new TestDirectory("abs");
        var tar = new TarBuilder().File("/etc/abs", "a").Hardlink("/etc/abs-link", "/etc/abs").Build();
        LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("l"), new UnpackOptions());
        Assert.Equal("a", File.ReadAllText(dir.Sub("l/etc/abs")));
        Assert.Equal(FileStatus.OfPath(dir.Sub("l/etc/abs"))!.Value.Ino, FileStatus.OfPath(dir.Sub("l/etc/abs-link"))!.Value.Ino);
    }

    [Fact]
    public void ReplacingEntries_ChangesetOverExistingFiles()
    {
        // layer.md "Changeset over existing files": directory over directory keeps the content and takes the new
        // attributes; anything else replaces what is there.
        using var dir = new TestDirectory("repl");
        var first = new TarBuilder().Dir("d", 0x1ED).File("d/inner", "i").File("f", "file").Dir("was-dir").File("was-dir/x", "x").Symlink("s", "f").Build();
        var second = new TarBuilder().Dir("d", 0x1C0, 5, 6).File("was-dir", "now a file").Dir("f").Symlink("s", "elsewhere").Build();
        RootfsFlattener.Flatten([TarBuilder.Source(first), TarBuilder.Source(second)], dir.Sub("r"));
        var d = FileStatus.OfPath(dir.Sub("r/d"))!.Value;
        Assert.Equal((0x1C0u, 5u, 6u), (d.Mode & 0xFFF, d.Uid, d.Gid));
        Assert.Equal("i", File.ReadAllText(dir.Sub("r/d/inner")));
        Assert.Equal("now a file", File.ReadAllText(dir.Sub("r/was-dir")));
        Assert.True(Directory.Exists(dir.Sub("r/f")));
        Assert.Equal("elsewhere", new FileInfo(dir.Sub("r/s")).LinkTarget);
    }

    [Fact]
    public void AnArchiveWithoutItsEndBlocks_IsAccepted_ButNotOneCutInsideAHeader()
    {
        // Go's archive/tar and GNU tar accept an archive that stops between entries.
        using var dir = new TestDirectory("noend");
        var tar = new TarBuilder().File("a", "a").File("b", "b").BuildWithoutEnd();
        var result = LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("l"), new UnpackOptions());
        Assert.Equal(2, result.Entries);
        var e = Assert.Throws<LayerException>(() => LayerUnpacker.Unpack(new MemoryStream(tar[..^100]), dir.Sub("m"), new UnpackOptions()));
        Assert.Contains("entry \"b\"", e.Message, StringComparison.Ordinal);
        var h = Assert.Throws<LayerException>(() => LayerUnpacker.Unpack(new MemoryStream(tar[..(tar.Length - 1024 + 100)]), dir.Sub("n"), new UnpackOptions()));
        Assert.Contains("after entry \"a\"", h.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AUidTarEntryCannotHold_IsAnErrorNotACrash()
    {
        // System.Formats.Tar keeps ids as int: a PAX uid of 3000000000 cannot be read. Named, not thrown raw.
        using var dir = new TestDirectory("biguid");
        var tar = new TarBuilder().File("ok", "ok").FileWithRawPax("big", [1], new Dictionary<string, byte[]> { ["uid"] = "3000000000"u8.ToArray() }).Build();
        var e = Assert.Throws<LayerException>(() => LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("l"), new UnpackOptions()));
        Assert.Contains("after entry \"ok\"", e.Message, StringComparison.Ordinal);
        Assert.IsType<OverflowException>(e.InnerException);
        Assert.False(Directory.Exists(dir.Sub("l")));
    }

    [Theory]
    [InlineData("posix")]
    [InlineData("gnu")]
    public void SparseFilesFromGnuTar_AreRefusedNamingTheEntry(string format)
    {
        // layer.md: sparse files SHOULD NOT be used. Both of GNU tar's encodings are refused rather than unpacked
        // wrong: PAX GNU.sparse.* (its data holds the sparse map) and the old GNU 'S' type.
        using var dir = new TestDirectory("sparse");
        Directory.CreateDirectory(dir.Sub("src"));
        using (var f = File.Create(dir.Sub("src/holes"))) { f.SetLength(1 << 20); f.Position = 4096; f.WriteByte(1); }
        var (code, output) = TreeModel.Run("tar", $"--format={format}", "--sparse", "-cf", dir.Sub("s.tar"), "-C", dir.Sub("src"), "holes");
        Assert.True(code == 0, output);
        var e = Assert.Throws<LayerException>(() => LayerUnpacker.Unpack(File.OpenRead(dir.Sub("s.tar")), dir.Sub("l"), new UnpackOptions()));
        // GNU tar names a PAX sparse entry "./GNUSparseFile.PID/holes" (the real name is in GNU.sparse.name).
        Assert.Contains(format == "posix" ? "holes\": a GNU sparse file" : "at the start of the archive", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("l")));
    }
}
