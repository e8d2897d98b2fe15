using System.Diagnostics;
using System.Text.Json;
using Carton.Images.Content;
using Carton.Images.Model;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TempStore _temp = new();
    private ContentStore Content => _temp.Store.Content;

    public void Dispose() => _temp.Dispose();

    private static readonly byte[] Data = "hello, content store"u8.ToArray();

    [Fact]
    public async Task Ingest_PutsTheBlobAtBlobsAlgHex_AndLeavesNothingInIngest()
    {
        var digest = Digest.Sha256(Data);
        Assert.False(Content.Has(digest));
        Assert.True(await Content.IngestAsync(new MemoryStream(Data), digest, Data.Length));
        Assert.Equal(Path.Combine(_temp.Root, "blobs", "sha256", digest.Encoded), Content.BlobPath(digest));
        Assert.Equal(Data, File.ReadAllBytes(Content.BlobPath(digest)));
        Assert.True(Content.Has(digest));
        Assert.Equal(Data.Length, Content.SizeOf(digest));
        Assert.Equal([digest], Content.List());
        // A second ingest finds it there.
        Assert.False(await Content.IngestAsync(new MemoryStream(Data), digest, Data.Length));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task Ingest_OfOtherContent_IsADigestMismatch_AndNothingIsVisible()
    {
        var digest = Digest.Sha256(Data);
        var e = await Assert.ThrowsAsync<CartonException>(() => Content.IngestAsync(new MemoryStream("other content!!!!!!!"u8.ToArray()), digest, Data.Length));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("digest mismatch", e.Message);
        Assert.Contains(digest.ToString(), e.Message);
        Assert.False(Content.Has(digest));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task Ingest_OfTheWrongSize_IsRefused()
    {
        var digest = Digest.Sha256(Data);
        var shorter = await Assert.ThrowsAsync<CartonException>(() => Content.IngestAsync(new MemoryStream(Data), digest, Data.Length + 1));
        Assert.Contains($"{Data.Length} bytes, but its descriptor declares {Data.Length + 1}", shorter.Message);
        var longer = await Assert.ThrowsAsync<CartonException>(() => Content.IngestAsync(new MemoryStream(Data), digest, Data.Length - 1));
        Assert.Contains("more than the", longer.Message);
        Assert.False(Content.Has(digest));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task IngestUnknown_ComputesTheDigest()
    {
        var (digest, size) = await Content.IngestUnknownAsync(new MemoryStream(Data));
        Assert.Equal(Digest.Sha256(Data), digest);
        Assert.Equal(Data.Length, size);
        Assert.Equal(Data, Content.ReadAllBytes(digest));
        // Twice: the second copy is dropped.
        Assert.Equal(digest, (await Content.IngestUnknownAsync(new MemoryStream(Data))).Digest);
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task Open_OfAMissingBlob_IsNotFound()
    {
        var e = Assert.Throws<CartonException>(() => Content.Open(Digest.Sha256(Data)));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(Digest.Sha256(Data).ToString(), e.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Verify_FindsATamperedBlob()
    {
        var digest = await Content.IngestBytesAsync(Data);
        Assert.Empty(Content.Verify());
        File.WriteAllBytes(Content.BlobPath(digest), "tampered"u8.ToArray());
        Assert.Equal([Content.BlobPath(digest)], Content.Verify());
    }

    private static int FlockNonBlocking(string path, bool shared = false)
    {
        using var p = Process.Start(new ProcessStartInfo("flock", shared ? ["-n", "-s", path, "true"] : ["-n", path, "true"]))!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [Fact]
    public async Task TheDigestLock_IsAnFlockThatAnotherProcessSees()
    {
        var digest = Digest.Sha256(Data);
        var lockFile = Path.Combine(_temp.Root, "locks", $"sha256-{digest.Encoded[..2]}.lock");
        await using (var session = await Content.BeginIngestAsync(digest, Data.Length))
        {
            Assert.True(File.Exists(lockFile));
            Assert.Equal(1, FlockNonBlocking(lockFile)); // held: flock(1) cannot take it
            Assert.Equal(1, FlockNonBlocking(lockFile, shared: true)); // exclusive: not even a shared lock
            Assert.True(File.Exists(Path.Combine(_temp.Root, "ingest", $"sha256-{digest.Encoded}.partial")));
        }
        Assert.Equal(0, FlockNonBlocking(lockFile));
        // The uncommitted session removed its partial file.
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task ALockHeldByAnotherProcess_MakesTheIngestWait()
    {
        var digest = Digest.Sha256(Data);
        var lockFile = Path.Combine(_temp.Root, "locks", $"sha256-{digest.Encoded[..2]}.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
        using var holder = Process.Start(new ProcessStartInfo("flock", [lockFile, "sleep", "1"]))!;
        Thread.Sleep(200);
        var clock = Stopwatch.StartNew();
        Assert.True(await Content.IngestAsync(new MemoryStream(Data), digest, Data.Length));
        Assert.True(clock.ElapsedMilliseconds >= 500, $"the ingest waited only {clock.ElapsedMilliseconds} ms");
        holder.WaitForExit();
    }

    /// <summary>A stream that gives its bytes slowly, so two ingests overlap.</summary>
    private sealed class SlowStream(byte[] data) : MemoryStream(data)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(20, cancellationToken);
            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, 4)], cancellationToken);
        }
    }

    [Fact]
    public async Task TwoConcurrentIngestsOfOneBlob_WriteItOnce()
    {
        var digest = Digest.Sha256(Data);
        var a = Content.IngestAsync(new SlowStream(Data), digest, Data.Length);
        var b = new ContentStore(_temp.Root).IngestAsync(new SlowStream(Data), digest, Data.Length);
        var results = await Task.WhenAll(a, b);
        Assert.Single(results, r => r);
        Assert.Equal(Data, Content.ReadAllBytes(digest));
        _temp.AssertConsistent();
    }

    private static Descriptor Target(Digest d, long size) => new() { MediaType = MediaTypes.OciManifest, Digest = d.ToString(), Size = size };

    [Fact]
    public async Task Names_PutGetListRemove_InAnOciLayoutIndex()
    {
        var digest = await Content.IngestBytesAsync(Data);
        await _temp.Store.PutAsync("busybox", Target(digest, Data.Length));
        await _temp.Store.PutAsync("localhost:5000/x:1", Target(digest, Data.Length));

        Assert.Equal(["docker.io/library/busybox:latest", "localhost:5000/x:1"], _temp.Store.List().Select(r => r.Name));
        Assert.Equal(digest.ToString(), _temp.Store.Get("docker.io/library/busybox:latest")!.Target.Digest);
        Assert.Equal(digest, _temp.Store.Get("busybox:latest")!.Digest);
        Assert.Null(_temp.Store.Get("busybox:2"));

        // index.json is an OCI index whose entries carry the name; oci-layout marks the root as an image layout.
        var index = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(_temp.Root, "index.json")), ImagesJsonContext.Default.ImageIndex)!;
        Assert.Equal(2, index.SchemaVersion);
        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.Equal("docker.io/library/busybox:latest", index.Manifests[0].Annotations!["org.opencontainers.image.ref.name"]);
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", File.ReadAllText(Path.Combine(_temp.Root, "oci-layout")));

        // Renaming replaces.
        var other = await Content.IngestBytesAsync("other"u8.ToArray());
        await _temp.Store.PutAsync("busybox", Target(other, 5));
        Assert.Equal(2, _temp.Store.List().Count);
        Assert.Equal(other, _temp.Store.Get("busybox")!.Digest);

        Assert.True(await _temp.Store.RemoveAsync("busybox"));
        Assert.False(await _temp.Store.RemoveAsync("busybox"));
        Assert.Equal(["localhost:5000/x:1"], _temp.Store.List().Select(r => r.Name));
        Assert.True(Content.Has(other)); // blobs stay
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task Names_ForContentNotInTheStore_AreRefused()
    {
        var e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.PutAsync("x", Target(Digest.Sha256(Data), 3)));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Empty(_temp.Store.List());
    }

    [Fact]
    public async Task Names_ManyConcurrentPuts_NoneLost()
    {
        var digest = await Content.IngestBytesAsync(Data);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            Task.Run(() => new ImageStore(_temp.Root).PutAsync($"r.io/img:{i}", Target(digest, Data.Length)))));
        Assert.Equal(30, _temp.Store.List().Count);
        _temp.AssertConsistent();
    }

    [Fact]
    public void Inspect_OfAnUnknownName_IsNotFound()
    {
        var e = Assert.Throws<CartonException>(() => _temp.Store.Inspect("nothing:here"));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("nothing:here", e.Message);
    }
}
