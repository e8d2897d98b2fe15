using System.Formats.Tar;
using System.Text;
using Carton.Images.Linux.Archive;
using Carton.Images.Linux.Tests.Support;
using Carton.Images.Linux.Unpack;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Tests;

/// <summary>
/// The file-copy core of Docker's /containers/{id}/archive (docs/security.md, "Container archive"): stat, GET and
/// PUT over a rootfs directory, and the attacks on them. "Outside" is a directory of the test's own next to the
/// rootfs, standing for the host; the tests named in scripts/mutation-table.txt were shown to fail with their
/// defence switched off (scripts/mutation-check.sh).
/// </summary>
public sealed class RootfsArchiveTests
{
    private static readonly DateTimeOffset Old = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero).AddTicks(1234567);

    /// <summary>A rootfs made by unpacking <paramref name="tar"/> (whiteouts applied: a plain directory).</summary>
    private static string Rootfs(TestDirectory dir, byte[] tar, string name = "rootfs")
    {
        var root = dir.Sub(name);
        LayerUnpacker.Unpack(new MemoryStream(tar), root, new UnpackOptions { Whiteouts = WhiteoutMode.Apply, Sync = false });
        return root;
    }

    private static string Outside(TestDirectory dir)
    {
        var outside = dir.Sub("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret"), "host secret");
        return outside;
    }

    private static async Task<byte[]> Get(string rootfs, string path)
    {
        var output = new MemoryStream();
        await RootfsArchive.WriteTarAsync(rootfs, path, output, CancellationToken.None);
        return output.ToArray();
    }

    private static Task Put(string rootfs, string dir, byte[] tar, ExtractOptions? options = null) =>
        RootfsArchive.ExtractTarAsync(rootfs, dir, new MemoryStream(tar), options ?? new ExtractOptions(), CancellationToken.None);

    private sealed record Entry(string Name, TarEntryType Type, string LinkName, string? Content, int Mode, int Uid, int Gid);

    private static List<Entry> Entries(byte[] tar)
    {
        var list = new List<Entry>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } e)
        {
            string? content = null;
            if (e.DataStream is { } data) content = new StreamReader(data, Encoding.UTF8).ReadToEnd();
            list.Add(new Entry(e.Name, e.EntryType, e.LinkName, content, (int)e.Mode, e.Uid, e.Gid));
        }
        return list;
    }

    // ---- round trip and GET ----------------------------------------------------------------------------------------

    [Fact]
    public async Task RoundTrip_KeepsFilesDirsSymlinksFifoDeviceHardlinksModesOwnersAndTimes()
    {
        using var dir = new TestDirectory("arc-rt");
        var source = Rootfs(dir, new TarBuilder()
            .Dir("data", 0x1ED, 0, 0, Old)
            .File("data/a.txt", "hello", 0x1A0, 1000, 1001, Old.AddDays(1))
            .File("data/setuid", "#!/bin/sh\n", 0x9ED /* 04755 */, 0, 0, Old.AddDays(2))
            .Hardlink("data/hard", "data/a.txt")
            .Symlink("data/rel", "a.txt", 1000, 1000, Old.AddDays(3))
            .Symlink("data/abs", "/etc/passwd", 0, 0, Old.AddDays(4))
            .Fifo("data/fifo", 0x1A4, 5, 6)
            .CharDevice("data/null", 1, 3, 0x1B6)
            .Dir("data/sub", 0x1C0 /* 0700 */, 1234, 5678, Old.AddDays(5))
            .File("data/sub/.wh.notawhiteout", "x", 0x124, 0, 0, Old.AddDays(6))
            .Dir("data/sub/empty", 0x3FF /* 01777 */, 0, 0, Old.AddDays(7))
            .Build());
        // ".wh." in the source rootfs: made as a plain file by hand (the layer unpack above treats it as a whiteout).
        Assert.False(File.Exists(Path.Combine(source, "data/sub/.wh.notawhiteout")));
        File.WriteAllText(Path.Combine(source, "data/sub/.wh.notawhiteout"), "x");
        // Times at 100 ns (what a tar entry carries through System.Formats.Tar; Docker's archive keeps whole seconds).
        File.SetLastWriteTimeUtc(Path.Combine(source, "data/sub/.wh.notawhiteout"), Old.AddDays(6).UtcDateTime);
        Directory.SetLastWriteTimeUtc(Path.Combine(source, "data/sub"), Old.AddDays(5).UtcDateTime);

        var tar = await Get(source, "/data");
        var names = Entries(tar).Select(e => e.Name).ToList();
        Assert.Equal("data/", names[0]);
        Assert.Contains("data/sub/empty/", names);
        var hard = Entries(tar).Single(e => e.Type == TarEntryType.HardLink);
        Assert.Equal(["data/a.txt", "data/hard"], new[] { hard.LinkName, hard.Name }.Order(StringComparer.Ordinal));

        var target = dir.Sub("target");
        Directory.CreateDirectory(target);
        await Put(target, "/", tar);

        var expected = TreeModel.Scan(Path.Combine(source, "data"));
        var actual = TreeModel.Scan(Path.Combine(target, "data"));
        Assert.True(expected.Count >= 11, string.Join("\n", expected));
        Assert.Equal("", TreeModel.Diff(actual, expected, "put", "source"));
        Assert.Equal(expected, actual);
        Assert.Equal("p 0644 5:6", TreeModel.WithoutTime(actual["fifo"]));
        Assert.StartsWith("f 0640 1000:1001", actual["a.txt"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OfAFile_IsOneEntryNamedByItsBaseName_AndOfASymlink_TheSymlinkItself()
    {
        using var dir = new TestDirectory("arc-get");
        var root = Rootfs(dir, new TarBuilder().Dir("etc").File("etc/hosts", "127.0.0.1 c\n", 0x1A4, 7, 8).Symlink("hosts", "etc/hosts").Build());
        var file = Entries(await Get(root, "etc/hosts"));
        Assert.Equal(new Entry("hosts", TarEntryType.RegularFile, "", "127.0.0.1 c\n", 0x1A4, 7, 8), Assert.Single(file));
        var link = Assert.Single(Entries(await Get(root, "/hosts")));
        Assert.Equal(("hosts", TarEntryType.SymbolicLink, "etc/hosts"), (link.Name, link.Type, link.LinkName));
        // "/." names the contents "./…"; "/" the root "/".
        var contents = Entries(await Get(root, "/etc/.")).Select(e => e.Name).ToList();
        Assert.Equal(["./", "./hosts"], contents);
        var all = Entries(await Get(root, "/")).Select(e => e.Name).ToList();
        Assert.Equal(["/", "/etc/", "/etc/hosts", "/hosts"], all);
    }

    [Fact]
    public async Task Get_AndStat_OfAMissingPath_AreNotFound_InDockersWords()
    {
        using var dir = new TestDirectory("arc-nf");
        var root = Rootfs(dir, new TarBuilder().File("f", "x").Build());
        var e = await Assert.ThrowsAnyAsync<CartonException>(() => Get(root, "/nope/x"));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("Could not find the file /nope/x in container", e.Message);
        var s = Assert.ThrowsAny<CartonException>(() => RootfsArchive.Stat(root, "/f/x"));
        Assert.Equal(ErrorKind.NotFound, s.Kind);
        Assert.Contains("/f/x", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stat_GivesGoModeBits_SizeMtimeAndTheResolvedLinkTarget()
    {
        using var dir = new TestDirectory("arc-stat");
        var root = Rootfs(dir, new TarBuilder()
            .Dir("etc", 0x1ED, 0, 0, Old)
            .File("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0x9A4 /* 04644 */, 0, 0, Old)
            .Dir("etc/alt").Symlink("etc/alt/pw", "../passwd")
            .Symlink("lnk", "/etc/alt/pw")
            .Symlink("dangling", "../../nowhere/x")
            .Fifo("fifo").CharDevice("null", 1, 3)
            .Build());
        var file = RootfsArchive.Stat(root, "/etc/passwd");
        Assert.Equal(("passwd", 26L, GoFileMode.Setuid | 0x1A4u, Old, ""), (file.Name, file.Size, file.Mode, file.Mtime, file.LinkTarget));
        var d = RootfsArchive.Stat(root, "/etc");
        Assert.Equal(GoFileMode.Dir | 0x1EDu, d.Mode);
        Assert.True(d.IsDirectory);
        var link = RootfsArchive.Stat(root, "lnk");
        Assert.Equal(GoFileMode.Symlink | 0x1FFu, link.Mode);
        Assert.Equal("/etc/passwd", link.LinkTarget);
        Assert.Equal("/nowhere/x", RootfsArchive.Stat(root, "/dangling").LinkTarget);
        Assert.Equal(GoFileMode.NamedPipe | 0x180u, RootfsArchive.Stat(root, "/fifo").Mode);
        Assert.Equal(GoFileMode.Device | GoFileMode.CharDevice | 0x1B6u, RootfsArchive.Stat(root, "/null").Mode);
        // A trailing "/" follows the last component and wants a directory.
        Assert.Equal(("etc", GoFileMode.Dir | 0x1EDu), (RootfsArchive.Stat(root, "/etc/").Name, RootfsArchive.Stat(root, "/etc/").Mode));
        Assert.Equal(ErrorKind.InvalidDocument, Assert.ThrowsAny<CartonException>(() => RootfsArchive.Stat(root, "/etc/passwd/")).Kind);
        Assert.Equal("/", RootfsArchive.Stat(root, "/").Name);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(file.ToHeaderValue()));
        Assert.Equal("{\"name\":\"passwd\",\"size\":26,\"mode\":8389028,\"mtime\":\"2001-02-03T04:05:06.1234567Z\",\"linkTarget\":\"\"}", json);
    }

    // ---- GET attacks -------------------------------------------------------------------------------------------

    /// <summary>Defence "archive-resolve-in-root": a symlink in the rootfs to "/etc" is the rootfs's etc, as in the
    /// container; without it, the host's /etc/passwd is read.</summary>
    [Fact]
    public async Task Attack_GetThroughASymlinkToEtc_ReadsTheRootfsEtc()
    {
        using var dir = new TestDirectory("arc-etc");
        var root = Rootfs(dir, new TarBuilder().Dir("etc").File("etc/passwd", "container passwd\n").Symlink("lnk", "/etc").Build());
        var entry = Assert.Single(Entries(await Get(root, "/lnk/passwd")));
        Assert.Equal(("passwd", "container passwd\n"), (entry.Name, entry.Content));
        var tree = Entries(await Get(root, "/lnk/"));
        Assert.Equal(["lnk/", "lnk/passwd"], tree.Select(e => e.Name));
        Assert.Equal("container passwd\n", tree[1].Content);
        Assert.Equal("/etc", RootfsArchive.Stat(root, "/lnk").LinkTarget);
    }

    /// <summary>Defence "archive-resolve-in-root": symlinks that climb out ("../../../../etc/passwd") or point at a
    /// host directory lead nowhere outside the rootfs: the symlink itself is archived, and a path through it is
    /// looked up inside the rootfs (where there is nothing).</summary>
    [Fact]
    public async Task Attack_GetOfSymlinksLeadingOutOfTheRootfs_CannotReadTheHost()
    {
        using var dir = new TestDirectory("arc-out");
        var outside = Outside(dir);
        var up = string.Concat(Enumerable.Repeat("../", 12));
        var root = Rootfs(dir, new TarBuilder()
            .Symlink("pw", "../../../../etc/passwd")
            .Symlink("abs", outside)
            .Symlink("rel", up + outside.TrimStart('/'))
            .Build());

        var pw = Assert.Single(Entries(await Get(root, "/pw")));
        Assert.Equal((TarEntryType.SymbolicLink, "../../../../etc/passwd", (string?)null), (pw.Type, pw.LinkName, pw.Content));
        foreach (var path in new[] { "/abs/secret", "/rel/secret", "/abs/", "/rel/" })
        {
            var e = await Assert.ThrowsAnyAsync<CartonException>(() => Get(root, path));
            Assert.Equal(ErrorKind.NotFound, e.Kind);
        }
        Assert.Equal(ErrorKind.NotFound, Assert.ThrowsAny<CartonException>(() => RootfsArchive.Stat(root, "/abs/secret")).Kind);
        Assert.Equal(outside, RootfsArchive.Stat(root, "/rel").LinkTarget); // inside the rootfs, the same path as the host dir's
    }

    /// <summary>A symlink planted inside the tree being archived is archived as a symlink, never followed: a GET of
    /// a directory holding "x -> /outside/secret" and "d -> /outside" reads nothing of the host.</summary>
    [Fact]
    public async Task Attack_GetOfATreeHoldingSymlinksToTheHost_ArchivesTheLinks()
    {
        using var dir = new TestDirectory("arc-tree");
        var outside = Outside(dir);
        var root = Rootfs(dir, new TarBuilder().Dir("app").Symlink("app/x", outside + "/secret").Symlink("app/d", outside).Build());
        var entries = Entries(await Get(root, "/app"));
        Assert.Equal(["app/", "app/d", "app/x"], entries.Select(e => e.Name));
        Assert.All(entries.Skip(1), e => Assert.Equal(TarEntryType.SymbolicLink, e.Type));
        Assert.DoesNotContain(entries, e => e.Content?.Contains("host secret", StringComparison.Ordinal) == true);
    }

    // ---- PUT ---------------------------------------------------------------------------------------------------

    /// <summary>Defence "layer-path-check": an entry whose ".." climbs above the extraction directory is refused,
    /// naming it, and nothing lands above it, in the rootfs or outside it.</summary>
    [Theory]
    [InlineData("../../escape")]
    [InlineData("a/../../../../../../../escape")]
    public async Task Attack_PutWithDotDotAboveTheDirectory_IsRefusedNamingTheEntry(string name)
    {
        using var dir = new TestDirectory("arc-dd");
        var root = Rootfs(dir, new TarBuilder().Dir("dest").Dir("dest/inner").Build());
        var tar = new TarBuilder().File("fine", "ok").File(name, "pwned").Build();
        var e = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/dest/inner", tar));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains($"entry \"{name}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("/dest/inner", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Sub("escape")));
        Assert.False(File.Exists(Path.Combine(root, "escape")));
        Assert.False(File.Exists(Path.Combine(root, "dest/escape")));
        Assert.Equal("ok", File.ReadAllText(Path.Combine(root, "dest/inner/fine")));
    }

    /// <summary>Defence "layer-resolve-in-root": a symlink already in the container ("evil -> /host/dir", or climbing
    /// with "../") takes an entry "evil/pwned" to the rootfs's own copy of that path, never to the host.</summary>
    [Fact]
    public async Task Attack_PutThroughASymlinkPlantedInTheContainer_StaysInTheRootfs()
    {
        using var dir = new TestDirectory("arc-plant");
        var outside = Outside(dir);
        var root = Rootfs(dir, new TarBuilder()
            .Dir("dest")
            .Symlink("dest/evil", outside)
            .Symlink("dest/up", string.Concat(Enumerable.Repeat("../", 12)) + outside.TrimStart('/'))
            .Build());
        var tar = new TarBuilder().File("evil/pwned-abs", "pwned").File("up/pwned-rel", "pwned").File("evil/secret", "overwritten").Build();
        await Put(root, "/dest", tar);
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal("host secret", File.ReadAllText(Path.Combine(outside, "secret")));
        Assert.Equal("pwned", File.ReadAllText(root + outside + "/pwned-abs"));
        Assert.Equal("pwned", File.ReadAllText(root + outside + "/pwned-rel"));
    }

    /// <summary>A symlink planted in the same archive, then written through, stays in the rootfs too.</summary>
    [Fact]
    public async Task Attack_PutOfASymlinkThenAFileThroughIt_StaysInTheRootfs()
    {
        using var dir = new TestDirectory("arc-plant2");
        var outside = Outside(dir);
        var root = Rootfs(dir, new TarBuilder().Dir("dest").Build());
        var tar = new TarBuilder().Symlink("tmp", outside).File("tmp/pwned", "pwned").Hardlink("stolen", "tmp/secret").Build();
        var e = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/dest", tar));
        Assert.Contains("entry \"stolen\"", e.Message, StringComparison.Ordinal); // no secret inside the rootfs to link
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal(1ul, FileStatus.OfPath(Path.Combine(outside, "secret"))!.Value.Nlink);
        Assert.Equal("pwned", File.ReadAllText(root + outside + "/pwned"));
    }

    /// <summary>The extraction directory itself is looked up in the root: a symlink to a host directory is a
    /// missing directory of the rootfs, and nothing is written to the host.</summary>
    [Fact]
    public async Task Attack_PutIntoASymlinkToAHostDirectory_IsNotFound()
    {
        using var dir = new TestDirectory("arc-dest");
        var outside = Outside(dir);
        var root = Rootfs(dir, new TarBuilder().Symlink("hostdir", outside).Build());
        var e = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/hostdir", new TarBuilder().File("pwned", "x").Build()));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal($"Could not find the file /hostdir in container", e.Message);
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Put_IntoAMissingDirectoryOrAFile_IsNotFoundOrInvalid()
    {
        using var dir = new TestDirectory("arc-bad");
        var root = Rootfs(dir, new TarBuilder().File("file", "x").Build());
        var tar = new TarBuilder().File("a", "x").Build();
        var missing = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/nope", tar));
        Assert.Equal((ErrorKind.NotFound, "Could not find the file /nope in container"), (missing.Kind, missing.Message));
        var notDir = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/file", tar));
        Assert.Equal(ErrorKind.InvalidDocument, notDir.Kind);
        Assert.Contains("/file", notDir.Message, StringComparison.Ordinal);
        Assert.Contains("not a directory", notDir.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_WritesPlainFiles_MergesDirectories_AndLeavesTheDirectoryItself()
    {
        using var dir = new TestDirectory("arc-put");
        var root = Rootfs(dir, new TarBuilder().Dir("app", 0x1C0 /* 0700 */, 3, 4).File("app/keep", "kept").File("app/old", "old").Dir("app/d").File("app/d/x", "x").Build());
        var tar = new TarBuilder()
            .Dir(".", 0x1FF, 9, 9)                                         // the directory itself: left alone
            .File(".wh.keep", "not a whiteout")
            .File("/abs/name", "absolute names land under the directory")
            .File("old", "new", 0x1ED, 1000, 1000, Old)
            .Dir("d", 0x1C9 /* 0711 */, 5, 5)                              // merged: x stays
            .File("deep/er/file", "parents made")
            .Build();
        await Put(root, "/app", tar);
        var app = Path.Combine(root, "app");
        var st = FileStatus.OfPath(app)!.Value;
        Assert.Equal((0x1C0u, 3u, 4u), (st.Mode & 0xFFF, st.Uid, st.Gid));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(app, "keep")));
        Assert.Equal("not a whiteout", File.ReadAllText(Path.Combine(app, ".wh.keep")));
        Assert.Equal("absolute names land under the directory", File.ReadAllText(Path.Combine(app, "abs/name")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(app, "old")));
        var old = FileStatus.OfPath(Path.Combine(app, "old"))!.Value;
        Assert.Equal((0x1EDu, 1000u, 1000u, Old.ToUnixTimeSeconds()), (old.Mode & 0xFFF, old.Uid, old.Gid, old.ModifiedSeconds));
        Assert.Equal("x", File.ReadAllText(Path.Combine(app, "d/x")));
        Assert.Equal(0x1C9u, FileStatus.OfPath(Path.Combine(app, "d"))!.Value.Mode & 0xFFF);
        Assert.Equal("parents made", File.ReadAllText(Path.Combine(app, "deep/er/file")));
    }

    [Fact]
    public async Task Put_ChownTo_OwnsEveryEntry_AndGzipIsAccepted()
    {
        using var dir = new TestDirectory("arc-own");
        var root = Rootfs(dir, new TarBuilder().Dir("home").Build());
        var tar = TarBuilder.Gzip(new TarBuilder().Dir("u", 0x1ED, 7, 7).File("u/f", "x", 0x1A4, 8, 8).Symlink("u/l", "f", 9, 9).Build());
        await Put(root, "/home", tar, new ExtractOptions { ChownTo = (1500, 1600) });
        foreach (var p in new[] { "home/u", "home/u/f", "home/u/l" })
        {
            var st = FileStatus.OfPath(Path.Combine(root, p), followSymlinks: false)!.Value;
            Assert.Equal((1500u, 1600u), (st.Uid, st.Gid));
        }
    }

    [Fact]
    public async Task Put_NoOverwriteDirNonDir_RefusesBothWays_WithoutItTheEntryReplaces()
    {
        using var dir = new TestDirectory("arc-now");
        var root = Rootfs(dir, new TarBuilder().Dir("c").Dir("c/dir").File("c/dir/x", "x").File("c/file", "f").Build());
        var fileOverDir = new TarBuilder().File("dir", "now a file").Build();
        var dirOverFile = new TarBuilder().Dir("file").Build();
        var options = new ExtractOptions { NoOverwriteDirNonDir = true };
        var a = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/c", fileOverDir, options));
        Assert.Contains("cannot overwrite the directory \"c/dir\" with a non-directory", a.Message, StringComparison.Ordinal);
        var b = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/c", dirOverFile, options));
        Assert.Contains("cannot overwrite the non-directory \"c/file\" with a directory", b.Message, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(Path.Combine(root, "c/dir/x")));
        Assert.Equal("f", File.ReadAllText(Path.Combine(root, "c/file")));

        await Put(root, "/c", fileOverDir);
        await Put(root, "/c", dirOverFile);
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(root, "c/dir")));
        Assert.True(Directory.Exists(Path.Combine(root, "c/file")));
    }

    [Fact]
    public async Task Put_OfABadArchive_IsInvalidDocumentNamingTheEntry()
    {
        using var dir = new TestDirectory("arc-trunc");
        var root = Rootfs(dir, new TarBuilder().Dir("d").Build());
        var whole = new TarBuilder().File("first", "1").File("big", new byte[5000]).BuildWithoutEnd();
        var e = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/d", whole[..(whole.Length - 2048)]));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("entry \"big\"", e.Message, StringComparison.Ordinal);
        var xz = await Assert.ThrowsAnyAsync<CartonException>(() => Put(root, "/d", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 1, 2]));
        Assert.Equal(ErrorKind.Unsupported, xz.Kind);
    }

    /// <summary>The request body of an HTTP server refuses synchronous reads (Kestrel's AllowSynchronousIO is
    /// off): the archive is read with ReadAsync only.</summary>
    [Fact]
    public async Task Put_ReadsTheArchiveAsynchronouslyOnly()
    {
        using var dir = new TestDirectory("arc-async");
        var root = Rootfs(dir, new TarBuilder().Dir("d").Build());
        var body = new AsyncOnlyStream(new TarBuilder().File("f", new string('z', 300_000)).Build());
        await RootfsArchive.ExtractTarAsync(root, "/d", body, new ExtractOptions(), CancellationToken.None);
        Assert.Equal(300_000, new FileInfo(Path.Combine(root, "d/f")).Length);
        Assert.True(body.AsyncReads > 1);
    }

    private sealed class AsyncOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public int AsyncReads;
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous read");
        public override int Read(Span<byte> buffer) => throw new InvalidOperationException("synchronous read");
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            AsyncReads++;
            return ValueTask.FromResult(_inner.Read(buffer.Span));
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
