using Carton.Images.Linux.Snapshots;
using Carton.Images.Linux.Tests.Support;
using Carton.Images.Linux.Unpack;
using Carton.Linux.IO;
using Carton.Linux.Mounts;

namespace Carton.Images.Linux.Tests;

/// <summary>The snapshot store: layers by chain ID shared between images, committed once, containers' overlays.</summary>
public sealed class SnapshotterTests
{
    private static LayerSource[] ThreeLayers() =>
        [TarBuilder.Source(WhiteoutTests.BaseLayer()), TarBuilder.Source(WhiteoutTests.SecondLayer()), TarBuilder.Source(WhiteoutTests.ThirdLayer())];

    private static List<string> Names(string root)
    {
        var names = new List<string>();
        foreach (var p in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)) names.Add(Path.GetRelativePath(root, p));
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static string NewMountPoint(TestDirectory dir, string name)
    {
        var path = dir.Sub(name);
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public void ThreeLayerStack_TheOverlayShowsWhatTheFlattenedRootfsHas_AndWritesGoToTheUpper()
    {
        using var dir = new TestDirectory("snap3");
        var store = new Snapshotter(dir.Sub("snapshots"));
        var layers = ThreeLayers();
        var ensure = store.Ensure(layers);
        Assert.Equal(LayerDigests.ChainIds([layers[0].DiffId, layers[1].DiffId, layers[2].DiffId]), ensure.ChainIds);
        Assert.Equal(ensure.ChainIds, ensure.Unpacked);
        Assert.Equal(layers[0].DiffId, ensure.ChainIds[0]); // ChainID(L0) = DiffID(L0)

        var snapshot = store.Prepare("c1", ensure.TopChainId);
        Assert.Equal([store.LayerPath(ensure.ChainIds[2]), store.LayerPath(ensure.ChainIds[1]), store.LayerPath(ensure.ChainIds[0])], snapshot.LowerDirs);
        var merged = NewMountPoint(dir, "merged");
        Assert.Equal(OverlayMountMethod.LayerFds, store.Mount(snapshot, merged));
        try
        {
            Assert.Equal(WhiteoutTests.ExpectedAfterThree, Names(merged));
            Assert.Equal("changed", File.ReadAllText(Path.Combine(merged, "etc/keep")));
            Assert.Equal("back", File.ReadAllText(Path.Combine(merged, "file1")));

            // The two forms of whiteouts agree: the merged view is the flattened rootfs (directory times aside: the
            // overlay's come from the top layer holding the directory, the flattened ones from the last change).
            RootfsFlattener.Flatten(ThreeLayers(), dir.Sub("flat"));
            var diff = TreeModel.Diff(TreeModel.Scan(merged, directoryTimes: false, rootEntry: false),
                TreeModel.Scan(dir.Sub("flat"), directoryTimes: false, rootEntry: false), "overlay", "flattened");
            Assert.True(diff.Length == 0, "overlay and flattened rootfs differ:\n" + diff);

            File.WriteAllText(Path.Combine(merged, "etc/keep"), "container");
            File.Delete(Path.Combine(merged, "file4"));
            Assert.Equal("container", File.ReadAllText(Path.Combine(snapshot.UpperDir, "etc/keep")));
            Assert.True(FileStatus.OfPath(Path.Combine(snapshot.UpperDir, "file4"), followSymlinks: false) is { IsCharacterDevice: true, Rdev: 0 });
            Assert.Equal("changed", File.ReadAllText(Path.Combine(store.LayerPath(ensure.ChainIds[2]), "etc/keep")));
            Assert.Equal("4", File.ReadAllText(Path.Combine(store.LayerPath(ensure.ChainIds[1]), "file4")));
        }
        finally { Snapshotter.Unmount(merged); }

        Assert.Equal(["c1"], store.ListActive().Select(s => s.Key));
        store.Remove("c1");
        Assert.False(Directory.Exists(snapshot.Directory));
        Assert.Empty(store.ListActive());
        Assert.Equal(3, store.ListLayers().Count);
        Assert.All(ensure.ChainIds, id => Assert.True(store.IsCommitted(id)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store.Root, ".tmp")));
    }

    [Fact]
    public void TwoImagesSharingABaseLayer_UnpackItOnce()
    {
        using var dir = new TestDirectory("share");
        var store = new Snapshotter(dir.Sub("snapshots"));
        int baseOpens = 0;
        var baseLayer = TarBuilder.Source(WhiteoutTests.BaseLayer(), () => Interlocked.Increment(ref baseOpens));
        var imageA = store.Ensure([baseLayer, TarBuilder.Source(new TarBuilder().File("a-only", "a").Build())]);
        var imageB = store.Ensure([baseLayer, TarBuilder.Source(new TarBuilder().File("b-only", "b").Build())]);
        Assert.Equal(1, baseOpens);
        Assert.Equal(2, imageA.Unpacked.Count);
        Assert.Equal([imageB.ChainIds[1]], imageB.Unpacked);
        Assert.Equal(store.LowerDirs(imageA.TopChainId)[^1], store.LowerDirs(imageB.TopChainId)[^1]);
        Assert.Equal(3, store.ListLayers().Count);
        // Everything present: a third call opens nothing.
        Assert.Empty(store.Ensure([baseLayer]).Unpacked);
        Assert.Equal(1, baseOpens);
    }

    [Fact]
    public void TheSameLayerOverAnotherParent_IsAnotherChainId()
    {
        using var dir = new TestDirectory("chain");
        var store = new Snapshotter(dir.Sub("snapshots"));
        var top = TarBuilder.Source(new TarBuilder().File("top", "t").Build());
        var a = store.Ensure([TarBuilder.Source(new TarBuilder().File("x", "1").Build()), top]);
        var b = store.Ensure([TarBuilder.Source(new TarBuilder().File("x", "2").Build()), top]);
        Assert.NotEqual(a.TopChainId, b.TopChainId);
        Assert.Equal(2, b.Unpacked.Count);
        Assert.Equal(4, store.ListLayers().Count);
    }

    [Fact]
    public void ConcurrentEnsure_FromTwoProcesses_UnpacksEachLayerOnce()
    {
        using var dir = new TestDirectory("race");
        var tars = new[] { WhiteoutTests.BaseLayer(), WhiteoutTests.SecondLayer() };
        var files = new List<string>();
        for (int i = 0; i < tars.Length; i++)
        {
            files.Add(dir.Sub($"layer{i}.tar"));
            File.WriteAllBytes(files[^1], tars[i]);
        }
        var root = dir.Sub("snapshots");
        // Each layer stream sleeps 700 ms before its first byte: both processes reach the first layer's lock while the
        // other holds it.
        var helpers = new List<System.Diagnostics.Process>();
        for (int i = 0; i < 2; i++)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Carton.Images.Linux.Tests.dll"), "ensure", root, "700" }) psi.ArgumentList.Add(a);
            foreach (var f in files) psi.ArgumentList.Add(f);
            helpers.Add(System.Diagnostics.Process.Start(psi)!);
        }
        var outputs = new List<string>();
        foreach (var p in helpers)
        {
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, output);
            outputs.Add(output);
        }
        int opened = 0;
        var unpacked = new List<string>();
        foreach (var line in string.Join("\n", outputs).Split('\n'))
        {
            if (line.StartsWith("opened ", StringComparison.Ordinal)) opened += int.Parse(line[7..], System.Globalization.CultureInfo.InvariantCulture);
            if (line.StartsWith("unpacked ", StringComparison.Ordinal)) unpacked.Add(line[9..]);
        }
        var chainIds = LayerDigests.ChainIds([TarBuilder.DiffId(tars[0]), TarBuilder.DiffId(tars[1])]);
        Assert.True(opened == 2, $"each layer opened once in all, got {opened}:\n{string.Join("\n---\n", outputs)}");
        unpacked.Sort(StringComparer.Ordinal);
        var expected = new List<string>(chainIds);
        expected.Sort(StringComparer.Ordinal);
        Assert.Equal(expected, unpacked);
        var store = new Snapshotter(root);
        Assert.Equal(2, store.ListLayers().Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, ".tmp")));
    }

    [Fact]
    public async Task ConcurrentEnsure_FromFourThreads_UnpacksEachLayerOnce()
    {
        using var dir = new TestDirectory("race2");
        var store = new Snapshotter(dir.Sub("snapshots"));
        int opens = 0;
        var tar = WhiteoutTests.BaseLayer();
        var layer = new LayerSource(TarBuilder.DiffId(tar), () =>
        {
            Interlocked.Increment(ref opens);
            Thread.Sleep(300);
            return new MemoryStream(tar);
        });
        var tasks = new Task<EnsureResult>[4];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = Task.Factory.StartNew(() => store.Ensure([layer]), TaskCreationOptions.LongRunning);
        var results = await Task.WhenAll(tasks);
        Assert.Equal(1, opens);
        Assert.Equal(1, results.Count(r => r.Unpacked.Count == 1));
    }

    [Fact]
    public void AFailedUnpack_CommitsNothing_AndLeavesNoTemporaryDirectory()
    {
        using var dir = new TestDirectory("fail");
        var store = new Snapshotter(dir.Sub("snapshots"));
        var tar = WhiteoutTests.BaseLayer();
        var corrupt = (byte[])tar.Clone();
        corrupt[600] ^= 0xff; // inside the first file's data: the tar still parses, the digest no longer matches
        var e = Assert.Throws<LayerException>(() => store.Ensure([new LayerSource(TarBuilder.DiffId(tar), () => new MemoryStream(corrupt))]));
        Assert.Contains(TarBuilder.DiffId(tar), e.Message, StringComparison.Ordinal);
        Assert.False(store.IsCommitted(TarBuilder.DiffId(tar)));
        Assert.Empty(store.ListLayers());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store.Root, ".tmp")));
        Assert.Single(store.Ensure([TarBuilder.Source(tar)]).Unpacked);
    }

    [Fact]
    public void ManyLayers_MountByLayerFds_AndByShortMountData()
    {
        using var dir = new TestDirectory("many");
        var store = new Snapshotter(dir.Sub("snapshots"));
        const int Count = 120;
        var layers = new List<LayerSource>();
        for (int i = 0; i < Count; i++)
            layers.Add(TarBuilder.Source(new TarBuilder().File($"layer-{i:D3}", "x").File("top", i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Build()));
        var top = store.EnsureLayers(layers);
        var snapshot = store.Prepare("many", top);
        // With paths, the option string is far over the 4095-byte page mount(2) takes: why the layers go as fds.
        Assert.True(store.MountOptions(snapshot).Length > 4096);
        var merged = NewMountPoint(dir, "merged");
        foreach (var method in new[] { OverlayMountMethod.LayerFds, OverlayMountMethod.MountData })
        {
            Assert.Equal(method, store.Mount(snapshot, merged, method));
            try
            {
                Assert.Equal((Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(merged, "top")));
                Assert.Equal(Count + 1, Directory.GetFiles(merged).Length);
            }
            finally { Snapshotter.Unmount(merged); }
        }
        store.Remove("many");
    }

    [Fact]
    public void OverlayLayerLimits_FdsTakeThreeHundredLayers_MountDataRefusesThemClearly()
    {
        using var dir = new TestDirectory("limits");
        var lowers = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            lowers.Add(dir.Sub($"l{i}"));
            Directory.CreateDirectory(lowers[^1]);
        }
        File.WriteAllText(Path.Combine(lowers[299], "bottom"), "b");
        var merged = NewMountPoint(dir, "merged");
        Assert.Equal(OverlayMountMethod.LayerFds, OverlayFs.Mount(lowers, null, null, merged, userXattr: false));
        try { Assert.Equal("b", File.ReadAllText(Path.Combine(merged, "bottom"))); }
        finally { Snapshotter.Unmount(merged); }
        var e = Assert.Throws<CartonException>(() => OverlayFs.Mount(lowers, null, null, merged, false, OverlayMountMethod.MountData));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Contains("300 layers", e.Message, StringComparison.Ordinal);
        Assert.Empty(TestDirectory.MountsUnder(merged));
    }

    [Fact]
    public void ReadOnlyViews_OneLayerIsARoBind_TwoAreAnOverlayWithoutUpper()
    {
        using var dir = new TestDirectory("view");
        var store = new Snapshotter(dir.Sub("snapshots"));
        var ensure = store.Ensure([TarBuilder.Source(WhiteoutTests.BaseLayer()), TarBuilder.Source(WhiteoutTests.SecondLayer())]);
        var view = NewMountPoint(dir, "view");
        foreach (var (chainId, expectFile) in new[] { (ensure.ChainIds[0], "file1"), (ensure.ChainIds[1], "file4") })
        {
            store.MountReadOnly(chainId, view);
            try
            {
                Assert.True(File.Exists(Path.Combine(view, expectFile)));
                var e = Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(view, "etc/keep"), "no"));
                Assert.Equal(30 /* EROFS */, e.HResult & 0xFFFF);
            }
            finally { Snapshotter.Unmount(view); }
        }
        Assert.False(File.Exists(Path.Combine(view, "file1")));
    }

    [Fact]
    public void RemoveLayer_OnlyWhenNothingRefersToIt()
    {
        using var dir = new TestDirectory("rmlayer");
        var store = new Snapshotter(dir.Sub("snapshots"));
        var ensure = store.Ensure([TarBuilder.Source(WhiteoutTests.BaseLayer()), TarBuilder.Source(WhiteoutTests.SecondLayer())]);
        store.Prepare("c1", ensure.TopChainId);
        var e = Assert.Throws<CartonException>(() => store.RemoveLayer(ensure.ChainIds[0]));
        Assert.Equal(ErrorKind.InvalidState, e.Kind);
        Assert.Contains("in use by layer " + ensure.ChainIds[1], e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CartonException>(() => store.RemoveLayer(ensure.ChainIds[1]));
        Assert.Contains("in use by snapshot c1", e.Message, StringComparison.Ordinal);
        store.Remove("c1");
        store.RemoveLayer(ensure.ChainIds[1]);
        store.RemoveLayer(ensure.ChainIds[0]);
        Assert.Empty(store.ListLayers());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store.Root, ".locks")));
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<CartonException>(() => store.RemoveLayer(ensure.ChainIds[0])).Kind);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("id\n")]
    [InlineData("")]
    public void Prepare_RefusesKeysThatAreNotIds(string key)
    {
        using var dir = new TestDirectory("keys");
        var store = new Snapshotter(dir.Sub("snapshots"));
        Assert.Equal(ErrorKind.InvalidDocument, Assert.Throws<CartonException>(() => store.Prepare(key, null)).Kind);
    }

    [Fact]
    public void Prepare_Twice_IsAlreadyExists_RemoveUnknown_IsNotFound_AndAnEmptyParentIsABindOfTheUpper()
    {
        using var dir = new TestDirectory("prep");
        var store = new Snapshotter(dir.Sub("snapshots"));
        var s = store.Prepare("scratch", null);
        Assert.Equal(ErrorKind.AlreadyExists, Assert.Throws<CartonException>(() => store.Prepare("scratch", null)).Kind);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<CartonException>(() => store.Remove("nope")).Kind);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<CartonException>(() => store.Prepare("x", "sha256:" + new string('1', 64))).Kind);
        var merged = NewMountPoint(dir, "m");
        store.Mount(s, merged);
        try { File.WriteAllText(Path.Combine(merged, "hello"), "hi"); }
        finally { Snapshotter.Unmount(merged); }
        Assert.Equal("hi", File.ReadAllText(Path.Combine(s.UpperDir, "hello")));
        store.Remove("scratch");
    }

    [Fact]
    public void AnUndeclaredParentDirectory_TakesItsAttributesFromTheLayerBelow()
    {
        // containerd's mkparent: "opt/app/file" in a layer that does not declare "opt/" must not turn the merged
        // view's /opt into 0755 root:root.
        using var dir = new TestDirectory("mkparent");
        var store = new Snapshotter(dir.Sub("snapshots"));
        var lower = new TarBuilder().Dir("opt", 0x1C0, 5, 6, new DateTimeOffset(2010, 1, 1, 0, 0, 0, TimeSpan.Zero)).Build();
        var upper = new TarBuilder().File("opt/app/file", "f").Build();
        var ensure = store.Ensure([TarBuilder.Source(lower), TarBuilder.Source(upper)]);
        var st = FileStatus.OfPath(Path.Combine(store.LayerPath(ensure.TopChainId), "opt"))!.Value;
        Assert.Equal((0x1C0u, 5u, 6u, 1262304000L), (st.Mode & 0xFFF, st.Uid, st.Gid, st.ModifiedSeconds));
        var app = FileStatus.OfPath(Path.Combine(store.LayerPath(ensure.TopChainId), "opt/app"))!.Value;
        Assert.Equal((0x1EDu, 0u), (app.Mode & 0xFFF, app.Uid));
    }
}
