using Carton.Images.Linux.Tests.Support;
using Carton.Images.Linux.Unpack;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Tests;

/// <summary>Whiteouts (image-spec layer.md#whiteouts) in both forms: overlayfs' (0/0 character devices, the opaque
/// xattr) for snapshot layers, and applied by deletion for a flattened rootfs.</summary>
public sealed class WhiteoutTests
{
    private static FileStatus Stat(string path) => FileStatus.OfPath(path, followSymlinks: false) ?? throw new FileNotFoundException(path);

    private static bool IsWhiteoutDevice(string path) =>
        FileStatus.OfPath(path, followSymlinks: false) is { IsCharacterDevice: true, Rdev: 0 };

    private static LayerUnpackResult Unpack(byte[] tar, string target, UnpackOptions? options = null) =>
        LayerUnpacker.Unpack(new MemoryStream(tar), target, options ?? new UnpackOptions());

    private static List<string> Names(string root)
    {
        var names = new List<string>();
        foreach (var p in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)) names.Add(Path.GetRelativePath(root, p));
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    [Fact]
    public void OverlayForm_WhiteoutsBecomeZeroZeroCharDevices_OpaqueBecomesTheTrustedXattr()
    {
        using var dir = new TestDirectory("wo");
        var tar = new TarBuilder()
            .Whiteout("gone")
            .Dir("a").Whiteout("a/f")
            .Dir("opq").Opaque("opq").File("opq/new", "n")
            .Whiteout("missing/parent/x")   // its directory is not in the layer: made, so the whiteout has a place
            .Build();
        Unpack(tar, dir.Sub("l"));
        Assert.True(IsWhiteoutDevice(dir.Sub("l/gone")));
        Assert.True(IsWhiteoutDevice(dir.Sub("l/a/f")));
        Assert.True(IsWhiteoutDevice(dir.Sub("l/missing/parent/x")));
        Assert.Equal("y"u8.ToArray(), ExtendedAttributes.Get(dir.Sub("l/opq"), "trusted.overlay.opaque"));
        Assert.Null(ExtendedAttributes.Get(dir.Sub("l/opq"), "user.overlay.opaque"));
        Assert.Null(ExtendedAttributes.Get(dir.Sub("l/a"), "trusted.overlay.opaque"));
        Assert.Equal("n", File.ReadAllText(dir.Sub("l/opq/new")));
        Assert.DoesNotContain(Names(dir.Sub("l")), n => Path.GetFileName(n).StartsWith(".wh.", StringComparison.Ordinal));
    }

    [Fact]
    public void OverlayForm_Rootless_MarksOpaqueInTheUserNamespace()
    {
        using var dir = new TestDirectory("wor");
        var tar = new TarBuilder().Dir("opq").Opaque("opq").Whiteout("gone").Build();
        Unpack(tar, dir.Sub("l"), new UnpackOptions { Rootless = true });
        Assert.Equal("y"u8.ToArray(), ExtendedAttributes.Get(dir.Sub("l/opq"), "user.overlay.opaque"));
        Assert.Null(ExtendedAttributes.Get(dir.Sub("l/opq"), "trusted.overlay.opaque"));
        Assert.True(IsWhiteoutDevice(dir.Sub("l/gone")));
    }

    [Fact]
    public void OverlayForm_DirectoryRecreatedAfterItsWhiteout_IsOpaque()
    {
        // ".wh.b" then "b/": the lower "b" is deleted and a new one made. In overlay form the new directory must hide
        // the lower one's content, as the deletion form would have left it empty.
        using var dir = new TestDirectory("wod");
        var tar = new TarBuilder().Whiteout("b").Dir("b", 0x1C0).File("b/new", "n").Build();
        Unpack(tar, dir.Sub("l"));
        Assert.True(Stat(dir.Sub("l/b")).IsDirectory);
        Assert.Equal(0x1C0u, Stat(dir.Sub("l/b")).Mode & 0xFFF);
        Assert.Equal("y"u8.ToArray(), ExtendedAttributes.Get(dir.Sub("l/b"), "trusted.overlay.opaque"));
    }

    [Fact]
    public void OverlayForm_WhiteoutAfterTheSameLayersEntry_HidesOnlyTheLowerLayers()
    {
        // layer.md: "Files that are present in the same layer as a whiteout file can only be hidden by whiteout files
        // in subsequent layers."
        using var dir = new TestDirectory("wos");
        var tar = new TarBuilder().File("keep", "k").Whiteout("keep").Dir("d").File("d/x", "x").Whiteout("d").Build();
        Unpack(tar, dir.Sub("l"));
        Assert.Equal("k", File.ReadAllText(dir.Sub("l/keep")));
        Assert.Equal("x", File.ReadAllText(dir.Sub("l/d/x")));
        Assert.Equal("y"u8.ToArray(), ExtendedAttributes.Get(dir.Sub("l/d"), "trusted.overlay.opaque"));
    }

    [Fact]
    public void OverlayForm_ALayersOwnOverlayXattrsAreNotApplied()
    {
        using var dir = new TestDirectory("wox");
        var tar = new TarBuilder()
            .Dir("d", xattrs: new() { ["SCHILY.xattr.trusted.overlay.opaque"] = "y", ["SCHILY.xattr.trusted.overlay.redirect"] = "/etc", ["SCHILY.xattr.user.ok"] = "1" })
            .Build();
        var result = Unpack(tar, dir.Sub("l"));
        Assert.Null(ExtendedAttributes.Get(dir.Sub("l/d"), "trusted.overlay.opaque"));
        Assert.Null(ExtendedAttributes.Get(dir.Sub("l/d"), "trusted.overlay.redirect"));
        Assert.Equal("1"u8.ToArray(), ExtendedAttributes.Get(dir.Sub("l/d"), "user.ok"));
        Assert.Equal(2, result.Warnings.Count);
        Assert.All(result.Warnings, w => Assert.Contains("entry \"d/\"", w, StringComparison.Ordinal));
    }

    public static byte[] BaseLayer() => new TarBuilder()
        .Dir("etc").File("etc/keep", "keep").File("etc/gone", "gone")
        .Dir("bin").File("bin/tool", "tool").Dir("bin/sub").File("bin/sub/deep", "deep")
        .Dir("a").Dir("a/b").Dir("a/b/c").File("a/b/c/bar", "bar")
        .Dir("b").File("b/x", "x")
        .File("file1", "1")
        .Build();

    /// <summary>layer.md's examples: whiteouts, an opaque directory, and the opaque entry after the new content.</summary>
    public static byte[] SecondLayer() => new TarBuilder()
        .Whiteout("file1")
        .Dir("etc").Whiteout("etc/gone")
        .Dir("bin").Opaque("bin").File("bin/new", "new")
        .Dir("a").Dir("a/b").Dir("a/b/c").File("a/b/c/foo", "foo").Opaque("a")   // opaque last: still applied first
        .Whiteout("b").Dir("b").File("b/y", "y")
        .File("file4", "4")
        .Build();

    public static byte[] ThirdLayer() => new TarBuilder()
        .Dir("etc").File("etc/keep", "changed")
        .Dir("bin").Whiteout("bin/new")
        .File("file1", "back")
        .Build();

    public static readonly string[] ExpectedAfterThree =
    [
        "a", "a/b", "a/b/c", "a/b/c/foo", "b", "b/y", "bin", "etc", "etc/keep", "file1", "file4",
    ];

    [Fact]
    public void ApplyForm_FlattensThreeLayers_AsLayerMdSays()
    {
        using var dir = new TestDirectory("flat");
        var layers = new[] { TarBuilder.Source(BaseLayer()), TarBuilder.Source(SecondLayer()), TarBuilder.Source(ThirdLayer()) };
        var results = RootfsFlattener.Flatten(layers, dir.Sub("rootfs"));
        Assert.Equal(3, results.Count);
        Assert.Equal(ExpectedAfterThree, Names(dir.Sub("rootfs")));
        Assert.Equal("changed", File.ReadAllText(dir.Sub("rootfs/etc/keep")));
        Assert.Equal("back", File.ReadAllText(dir.Sub("rootfs/file1")));
        for (int i = 0; i < 3; i++) Assert.Equal(layers[i].DiffId, results[i].DiffId);
    }

    [Fact]
    public void ApplyForm_OpaqueInTheSameLayer_KeepsThatLayersOwnEntriesWhateverTheOrder()
    {
        using var dir = new TestDirectory("flat2");
        var first = new TarBuilder().Dir("d").File("d/old", "o").Dir("d/sub").File("d/sub/older", "o").Build();
        // The layer declares only d/sub/fresh (not d/sub/): d/sub is lower content it writes into, and the opaque
        // marker on d still removes d/sub/older while keeping d/sub/fresh.
        var second = new TarBuilder().File("d/sub/fresh", "f").Opaque("d").Build();
        RootfsFlattener.Flatten([TarBuilder.Source(first), TarBuilder.Source(second)], dir.Sub("r"));
        Assert.Equal(["d", "d/sub", "d/sub/fresh"], Names(dir.Sub("r")));
    }

    [Fact]
    public void ApplyForm_AFailedLayerRemovesTheWholeRootfs()
    {
        using var dir = new TestDirectory("flat3");
        var good = TarBuilder.Source(BaseLayer());
        var bad = new LayerSource("sha256:" + new string('0', 64), () => new MemoryStream(SecondLayer()));
        var e = Assert.Throws<LayerException>(() => RootfsFlattener.Flatten([good, bad], dir.Sub("r")));
        Assert.Contains("sha256:" + new string('0', 64), e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("r")));
    }
}
