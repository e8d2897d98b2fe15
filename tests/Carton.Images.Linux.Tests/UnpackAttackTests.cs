using System.Text;
using Carton.Images.Linux.Tests.Support;
using Carton.Images.Linux.Unpack;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Tests;

/// <summary>
/// Malicious layers, built here, against the unpack's defences (docs/security.md, "Layer unpack"). Each test is named
/// in scripts/mutation-table.txt with the defence it covers and was shown to fail with that defence switched off
/// (scripts/mutation-check.sh). "Outside" is a directory of the test's own next to the unpack target: what a layer
/// must never reach.
/// </summary>
public sealed class UnpackAttackTests
{
    private static LayerException Refused(byte[] tar, string target, UnpackOptions? options = null) =>
        Assert.Throws<LayerException>(() => LayerUnpacker.Unpack(new MemoryStream(tar), target, options ?? new UnpackOptions()));

    private static string Outside(TestDirectory dir)
    {
        var outside = dir.Sub("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "victim"), "original");
        return outside;
    }

    /// <summary>Defence "layer-path-check": ".." that climbs above the root, and a NUL inside a name (the system call
    /// would cut the name there, after the check), are refused, naming the entry.</summary>
    [Theory]
    [InlineData("../escaped")]
    [InlineData("a/../../escaped")]
    [InlineData("./../../../../../../../../../escaped")]
    public void Attack_DotDotAboveTheRoot_IsRefusedNamingTheEntry(string name)
    {
        using var dir = new TestDirectory("dotdot");
        var tar = new TarBuilder().File("fine", "f").File(name, "x").Build();
        var e = Refused(tar, dir.Sub("root"));
        Assert.Equal(name, e.Entry);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("\"..\" climbs above the layer root", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Sub("escaped")));
        Assert.False(Directory.Exists(dir.Sub("root")));
    }

    [Fact]
    public void Attack_DotDotInAHardlinkTarget_IsRefused()
    {
        using var dir = new TestDirectory("dotdot2");
        Outside(dir);
        var tar = new TarBuilder().Hardlink("stolen", "../outside/victim").Build();
        var e = Refused(tar, dir.Sub("root"));
        Assert.Equal("stolen", e.Entry);
        Assert.Contains("climbs above", e.Message, StringComparison.Ordinal);
        Assert.Equal(1ul, FileStatus.OfPath(dir.Sub("outside/victim"))!.Value.Nlink);
    }

    [Fact]
    public void Attack_NulInAName_IsRefused()
    {
        using var dir = new TestDirectory("nul");
        // A PAX path record keeps a NUL (its length is explicit): "..\0/x" passes a component check as "..\0".
        var records = Encoding.ASCII.GetBytes("..\0/x");
        var body = new List<byte>();
        var text = " path=";
        int len = 0;
        for (int digits = 1; digits < 4; digits++)
        {
            len = digits + text.Length + records.Length + 1;
            if (len.ToString(System.Globalization.CultureInfo.InvariantCulture).Length == digits) break;
        }
        body.AddRange(Encoding.ASCII.GetBytes(len.ToString(System.Globalization.CultureInfo.InvariantCulture) + text));
        body.AddRange(records);
        body.Add((byte)'\n');
        var pax = body.ToArray();
        var tar = new TarBuilder()
            .Raw(TarBuilder.Header("PaxHeaders/x", 0x1A4, 0, 0, pax.Length, (byte)'x', TarBuilder.DefaultTime)).Raw(Pad(pax))
            .Raw(TarBuilder.Header("placeholder", 0x1A4, 0, 0, 1, (byte)'0', TarBuilder.DefaultTime)).Raw(Pad("X"u8.ToArray()))
            .Build();
        var e = Refused(tar, dir.Sub("root"));
        Assert.Contains("NUL", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Sub("x")));
    }

    private static byte[] Pad(byte[] data)
    {
        var padded = new byte[(data.Length + 511) / 512 * 512];
        data.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>Defence "layer-resolve-in-root": a symlink planted earlier in the same layer does not take a later
    /// entry out of the root; it resolves inside it (RESOLVE_IN_ROOT), as it would in the container.</summary>
    [Fact]
    public void Attack_SymlinkPlantedInTheSameLayer_DoesNotLeadOutside()
    {
        using var dir = new TestDirectory("sym1");
        var outside = Outside(dir);
        var tar = new TarBuilder()
            .Symlink("evil", outside)                                   // absolute, to the host directory
            .Symlink("up", string.Concat(Enumerable.Repeat("../", 12)) + outside.TrimStart('/'))  // relative, climbing
            .File("evil/pwned-abs", "pwned")
            .File("up/pwned-rel", "pwned")
            .Build();
        LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("root"), new UnpackOptions());
        Assert.False(File.Exists(Path.Combine(outside, "pwned-abs")));
        Assert.False(File.Exists(Path.Combine(outside, "pwned-rel")));
        // Both landed where the links point inside the root.
        Assert.Equal("pwned", File.ReadAllText(dir.Sub("root") + outside + "/pwned-abs"));
        Assert.Equal("pwned", File.ReadAllText(dir.Sub("root") + outside + "/pwned-rel"));
    }

    /// <summary>Defence "layer-resolve-in-root": a symlink left by an earlier layer in the directory (a flattened
    /// rootfs) does not take the next layer's entries out of the root.</summary>
    [Fact]
    public void Attack_SymlinkFromAnEarlierLayer_DoesNotLeadOutside()
    {
        using var dir = new TestDirectory("sym2");
        var outside = Outside(dir);
        var first = new TarBuilder().Dir("etc").Symlink("etc/conf.d", outside).Build();
        var second = new TarBuilder().File("etc/conf.d/pwned", "pwned").Build();
        RootfsFlattener.Flatten([TarBuilder.Source(first), TarBuilder.Source(second)], dir.Sub("root"));
        Assert.False(File.Exists(Path.Combine(outside, "pwned")));
        Assert.Equal("pwned", File.ReadAllText(dir.Sub("root") + outside + "/pwned"));
    }

    /// <summary>Defence "layer-no-follow-final": an entry at a path where a symlink stands replaces the symlink; it
    /// never writes through it (earlier layer and same layer).</summary>
    [Fact]
    public void Attack_FileOverASymlink_ReplacesTheLinkInsteadOfWritingThroughIt()
    {
        using var dir = new TestDirectory("final");
        var outside = Outside(dir);
        var victim = Path.Combine(outside, "victim");
        var first = new TarBuilder().Dir("etc").Symlink("etc/passwd", victim).Build();
        var second = new TarBuilder().File("etc/passwd", "pwned").Symlink("etc/shadow", victim).File("etc/shadow", "pwned too").Build();
        RootfsFlattener.Flatten([TarBuilder.Source(first), TarBuilder.Source(second)], dir.Sub("root"));
        Assert.Equal("original", File.ReadAllText(victim));
        Assert.Equal("pwned", File.ReadAllText(dir.Sub("root/etc/passwd")));
        Assert.Equal("pwned too", File.ReadAllText(dir.Sub("root/etc/shadow")));
        Assert.True(FileStatus.OfPath(dir.Sub("root/etc/passwd"), followSymlinks: false)!.Value.IsRegularFile);
    }

    /// <summary>Defence "layer-hardlink-in-root": a hardlink's target is looked up inside the root, so a symlink on
    /// the way cannot make it a second name for a host file; and it must exist there.</summary>
    [Fact]
    public void Attack_HardlinkThroughASymlinkToTheHost_IsRefused()
    {
        using var dir = new TestDirectory("hl");
        var outside = Outside(dir);
        var first = new TarBuilder().Symlink("hostdir", outside).Build();
        var second = new TarBuilder().Hardlink("stolen", "hostdir/victim").Build();
        var e = Assert.Throws<LayerException>(() => RootfsFlattener.Flatten([TarBuilder.Source(first), TarBuilder.Source(second)], dir.Sub("root")));
        Assert.Equal("stolen", e.Entry);
        Assert.Contains("hardlink target \"hostdir/victim\" does not exist in the root", e.Message, StringComparison.Ordinal);
        Assert.Equal(1ul, FileStatus.OfPath(Path.Combine(outside, "victim"))!.Value.Nlink);
        Assert.False(Directory.Exists(dir.Sub("root")));
    }

    [Fact]
    public void HardlinkToAMissingTarget_FailsNamingBoth()
    {
        using var dir = new TestDirectory("hl2");
        var e = Refused(new TarBuilder().Hardlink("a", "not/there").Build(), dir.Sub("root"));
        Assert.Equal("a", e.Entry);
        Assert.Contains("\"not/there\" does not exist in the layer", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Defence "layer-rootless-no-devices": a rootless unpack makes no device node (one owned by the rootless
    /// user would give them the device: /dev/mem here, a disk); it says so in the warnings.</summary>
    [Fact]
    public void Attack_DeviceNodesInARootlessUnpack_AreSkipped()
    {
        using var dir = new TestDirectory("dev");
        var tar = new TarBuilder().CharDevice("mem", 1, 1, 0x1B6, 1000, 1000).BlockDevice("disk", 8, 0, 0x1B6, 1000, 1000).Fifo("fifo").File("f", "f").Build();
        var result = LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("root"), new UnpackOptions { Rootless = true });
        Assert.False(File.Exists(dir.Sub("root/mem")));
        Assert.False(File.Exists(dir.Sub("root/disk")));
        Assert.True(FileStatus.OfPath(dir.Sub("root/fifo"), followSymlinks: false)!.Value.Type == FileStatus.Fifo);
        Assert.Equal(2, result.Warnings.Count);
        Assert.Contains("entry \"mem\": CharacterDevice skipped", result.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("entry \"disk\": BlockDevice skipped", result.Warnings[1], StringComparison.Ordinal);
    }

    /// <summary>Defence "layer-short-data": an archive that ends inside an entry's data is an error naming the entry
    /// (TarReader hands out the short data without complaint).</summary>
    [Fact]
    public void Attack_TruncatedData_IsAnErrorNamingTheEntry()
    {
        using var dir = new TestDirectory("trunc");
        var full = new TarBuilder().File("first", "ok").File("usr/bin/big", new byte[4000]).BuildWithoutEnd();
        var cut = full[..(full.Length - 4096 + 1000)];   // 1000 of the last entry's 4000 bytes
        var e = Refused(cut, dir.Sub("root"));
        Assert.Equal("usr/bin/big", e.Entry);
        Assert.Contains("the archive ends inside the entry's data", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("root")));
    }

    [Fact]
    public void EntryLongerThanItsHeaderSays_IsAnErrorNamingIt()
    {
        // TarReader reads the declared 10 bytes; the rest of the data is then taken as the next header, whose
        // checksum fails: the error names the entry the extra data belongs to. (TarReader's check: no switch.)
        using var dir = new TestDirectory("long");
        var data = new byte[1500];
        Array.Fill(data, (byte)'A');
        var tar = new TarBuilder().File("ok", "ok")
            .Raw(TarBuilder.Header("liar", 0x1A4, 0, 0, 10, (byte)'0', TarBuilder.DefaultTime)).Raw(Pad(data))
            .Build();
        var e = Refused(tar, dir.Sub("root"));
        Assert.Contains("after entry \"liar\"", e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.False(Directory.Exists(dir.Sub("root")));
    }

    [Fact]
    public void GarbageInsteadOfATar_IsAnErrorAtTheStart()
    {
        using var dir = new TestDirectory("garbage");
        var e = Refused(TarBuilder.Gzip(new TarBuilder().File("a", "a").Build()), dir.Sub("root"));
        Assert.Contains("at the start of the archive", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("root")));
    }
}
