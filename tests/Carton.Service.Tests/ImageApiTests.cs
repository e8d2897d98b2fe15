using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Carton.Images.Api;
using Carton.Images.Content;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Service.Tests;

/// <summary>
/// The daemon's image routes through Carton.Client: a real docker-registry on 127.0.0.1 (Debian's), images put there
/// by skopeo, pulled by the daemon into its --image-root with the progress streamed back; list, inspect, tag and
/// remove; the errors the client rethrows compared with the in-process store's; and a pull whose registry is killed
/// mid-layer, which must end in an error event and leave no partial blob and no name.
/// </summary>
[Collection("daemon")]
public sealed class ImageApiTests(DaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("imgapi16-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    private static (int Exit, string Out, string Err) Run(string file, params string[] args) => DaemonFixture.Run(file, TimeSpan.FromSeconds(180), args);

    /// <summary>skopeo copies the layout's image named <paramref name="tag"/> into the registry as
    /// <paramref name="reference"/>; the manifest digest the registry has (skopeo's --digestfile).</summary>
    private string SkopeoPush(string layout, string tag, string reference)
    {
        var digestFile = Path.Combine(_work, "digest-" + Guid.NewGuid().ToString("N")[..6]);
        var copy = Run("skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false", "--digestfile", digestFile, $"oci:{layout}:{tag}", $"docker://{reference}");
        Assert.True(copy.Exit == 0, $"skopeo copy: {copy.Err}");
        return File.ReadAllText(digestFile).Trim();
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>An OCI layout whose one layer is <paramref name="bytes"/> zero bytes in a gzip stream of stored (not
    /// deflated) blocks: as big on the wire as on disk, and already compressed, so skopeo sends it as it is (it would
    /// gzip a plain tar layer down to nothing). Big enough that a pull is still reading it when the registry dies. The
    /// pull does not unpack, so the layer need not be a tar.</summary>
    private string BigLayout(long bytes)
    {
        var layout = Path.Combine(_work, "big-layout");
        var blobs = Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256")).FullName;
        var tmp = Path.Combine(blobs, "layer.tmp");
        using (var diff = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            using (var f = File.Create(tmp))
            using (var gzip = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.NoCompression))
            {
                var chunk = new byte[1 << 20];
                for (long done = 0; done < bytes; done += chunk.Length)
                {
                    gzip.Write(chunk);
                    diff.AppendData(chunk);
                }
            }
            var diffId = "sha256:" + Convert.ToHexStringLower(diff.GetHashAndReset());
            string layerDigest;
            using (var layer = File.OpenRead(tmp)) layerDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(layer));
            long layerSize = new FileInfo(tmp).Length;
            File.Move(tmp, Path.Combine(blobs, layerDigest[7..]));
            var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]}}""");
            File.WriteAllBytes(Path.Combine(blobs, Sha256(config)[7..]), config);
            var manifest = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{Sha256(config)}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{{layerDigest}}}","size":{{{layerSize}}}}]}""");
            File.WriteAllBytes(Path.Combine(blobs, Sha256(manifest)[7..]), manifest);
            File.WriteAllText(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
            File.WriteAllText(Path.Combine(layout, "index.json"), $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Sha256(manifest)}}}","size":{{{manifest.Length}}},"annotations":{"org.opencontainers.image.ref.name":"big"}}]}""");
        }
        return layout;
    }

    /// <summary>Files in the daemon's store's ingest/ (partial blobs): none once no ingest is under way.</summary>
    private string[] IngestFiles()
    {
        var ingest = Path.Combine(daemon.ImageRoot, "ingest");
        return Directory.Exists(ingest) ? Directory.GetFiles(ingest, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>A progress callback that records every event on the reading thread (Progress&lt;T&gt; would post them).</summary>
    private sealed class Recorder(Action<ImageTransferEvent>? onEvent = null) : IProgress<ImageTransferEvent>
    {
        public List<ImageTransferEvent> Events { get; } = [];
        public void Report(ImageTransferEvent value)
        {
            lock (Events) Events.Add(value);
            onEvent?.Invoke(value);
        }
    }

    [DaemonFact]
    public async Task Pull_StreamsProgress_ThenListInspectTagRemove_ThroughTheClient()
    {
        using var registry = new RegistryProcess(Path.Combine(_work, "registry"));
        var reference = $"{registry.Host}/imgapi16/busybox:1";
        // an image no other test of the collection has (a 2 MiB layer; config Cmd ["sh"]): the daemon's store is
        // shared, and busybox's blobs, imported by ImageThroughDaemonTests first in some orders, would be "exists"
        var manifestDigest = SkopeoPush(BigLayout(2 << 20), "big", reference);
        var images = daemon.Client.Images;

        var recorder = new Recorder();
        var result = await images.PullAsync(reference, progress: recorder);

        Assert.Equal(ImageTransferEvent.ResultType, result.Type);
        Assert.Equal(reference, result.Name);
        Assert.Equal(manifestDigest, result.ManifestDigest);
        Assert.Equal(manifestDigest, result.Digest); // a single-platform image: the name points at the manifest
        Assert.NotEmpty(recorder.Events);
        Assert.All(recorder.Events, e => Assert.Equal(ImageTransferEvent.ProgressType, e.Type));
        // every blob (config and layer) ends "done" with all its bytes, and the layer was seen under way before that
        var finished = recorder.Events.Where(e => e.State == "done").ToList();
        Assert.Equal(2, finished.Select(e => e.Digest).Distinct().Count());
        Assert.All(finished, e => Assert.Equal(e.Total, e.Current));
        var layer = finished.Single(e => e.MediaType!.Contains("layer", StringComparison.Ordinal));
        Assert.Contains(recorder.Events, e => e.Digest == layer.Digest && e.State == "downloading");
        Assert.True(File.Exists(Path.Combine(daemon.ImageRoot, "blobs", "sha256", layer.Digest![7..])), "the layer is in the daemon's store");
        Assert.Empty(IngestFiles());

        // list and inspect (the reference URL-encoded as one segment: its slashes are %2F)
        Assert.Contains(await images.ListAsync(), i => i.Name == reference && i.Digest == manifestDigest && i.Size > 0);
        var details = await images.InspectAsync(reference);
        Assert.Equal(reference, details.Name);
        Assert.Equal(manifestDigest, details.ManifestDigest);
        Assert.Equal(layer.Digest, Assert.Single(details.Manifest.Layers).Digest);
        Assert.Equal(details.Manifest.Config.Digest, details.ConfigDigest);
        Assert.Equal(new[] { "sh" }, details.Config.Config!.Cmd!);
        var raw = await daemon.RawAsync("GET /v1/images/" + Uri.EscapeDataString(reference) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", raw, StringComparison.Ordinal);
        Assert.Contains("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"", raw, StringComparison.Ordinal); // readable: '+', not \u002B
        // the daemon's answer is the in-process store's, field for field
        var local = new ImageStore(daemon.ImageRoot).Inspect(reference);
        Assert.Equal(local.ConfigDigest.ToString(), details.ConfigDigest);

        // tag: the new name points at the same manifest, canonical
        var tagged = await images.TagAsync(reference, "imgapi16-copy");
        Assert.Equal("docker.io/library/imgapi16-copy:latest", tagged);
        Assert.Equal(manifestDigest, (await images.InspectAsync("imgapi16-copy")).ManifestDigest);
        Assert.Equal(manifestDigest, (await images.InspectAsync(tagged)).ManifestDigest);

        // remove: the name goes, the other stays; a second remove is NotFound
        await images.RemoveAsync("imgapi16-copy");
        Assert.DoesNotContain(await images.ListAsync(), i => i.Name == tagged);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => images.RemoveAsync(tagged))).Kind);
        await images.RemoveAsync(reference);
        Assert.DoesNotContain(await images.ListAsync(), i => i.Name == reference);
    }

    [DaemonFact]
    public async Task Errors_AreTheInProcessStoresKinds_WithTheirStatuses()
    {
        var images = daemon.Client.Images;

        // an unknown image: NotFound, as the in-process store says, and 404 on the wire
        var remote = await Assert.ThrowsAsync<CartonException>(() => images.InspectAsync("imgapi16/nosuch:1"));
        var inProcess = Assert.Throws<CartonException>(() => new ImageStore(Path.Combine(_work, "local-store")).Inspect("imgapi16/nosuch:1"));
        Assert.Equal(inProcess.GetType(), remote.GetType());
        Assert.Equal(inProcess.Kind, remote.Kind);
        Assert.Equal(ErrorKind.NotFound, remote.Kind);
        Assert.Contains("imgapi16/nosuch:1", remote.Message, StringComparison.Ordinal);
        Assert.Equal(inProcess.Code, remote.Code);
        var raw = await daemon.RawAsync("GET /v1/images/imgapi16%2Fnosuch%3A1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", raw, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"NotFound\"", raw, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CartonException>(() => images.TagAsync("imgapi16/nosuch:1", "imgapi16/other:1"))).Kind);

        // a bad reference: 400 InvalidDocument naming it, in the path or in a body, before anything is streamed
        var bad = await Assert.ThrowsAsync<CartonException>(() => images.InspectAsync("Imgapi16/UPPER"));
        Assert.Equal(ErrorKind.InvalidDocument, bad.Kind);
        Assert.Equal("ref", bad.JsonPath);
        Assert.Contains("\"Imgapi16/UPPER\"", bad.Message, StringComparison.Ordinal);
        raw = await daemon.RawAsync("DELETE /v1/images/Imgapi16%2FUPPER HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", raw, StringComparison.Ordinal);
        var pull = await Assert.ThrowsAsync<CartonException>(() => images.PullAsync("127.0.0.1:1/imgapi16 bad"));
        Assert.Equal(ErrorKind.InvalidDocument, pull.Kind);
        Assert.Equal("$.reference", pull.JsonPath);
        Assert.Contains("whitespace", pull.Message, StringComparison.Ordinal);
        var platform = await Assert.ThrowsAsync<CartonException>(() => images.PullAsync("127.0.0.1:1/imgapi16/x:1", platform: "linux"));
        Assert.Equal("$.platform", platform.JsonPath);
        var creds = await Assert.ThrowsAsync<CartonException>(() => images.PullAsync("127.0.0.1:1/imgapi16/x:1",
            credentials: new ImageRegistryCredentials { Username = "", Password = "p" }));
        Assert.Equal("$.credentials.username", creds.JsonPath);
        var digestTag = await Assert.ThrowsAsync<CartonException>(() => images.TagAsync("imgapi16/nosuch:1", "imgapi16/x@sha256:" + new string('a', 64)));
        Assert.Equal(ErrorKind.InvalidDocument, digestTag.Kind);
        raw = await daemon.RawAsync("POST /v1/images/pull HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        Assert.StartsWith("HTTP/1.1 400", raw, StringComparison.Ordinal);
        Assert.Contains("\"jsonPath\":\"$.reference\"", raw, StringComparison.Ordinal);

        // a registry nobody listens on: the request was fine (200), the pull failed: an error event, Unavailable
        var unreachable = await Assert.ThrowsAsync<CartonException>(() => images.PullAsync($"127.0.0.1:{RegistryProcess.FreePort()}/imgapi16/x:1"));
        Assert.Equal(ErrorKind.Unavailable, unreachable.Kind);
        Assert.Empty(IngestFiles());
    }

    [DaemonFact]
    public async Task Pull_WhoseRegistryDiesMidLayer_EndsWithAnErrorEvent_AndLeavesNoIngestFileAndNoName()
    {
        const long size = 512L << 20;
        var registry = new RegistryProcess(Path.Combine(_work, "registry"));
        string reference;
        try
        {
            reference = $"{registry.Host}/imgapi16/big:1";
            SkopeoPush(BigLayout(size), "big", reference);
            Directory.Delete(Path.Combine(_work, "big-layout"), recursive: true);
        }
        catch
        {
            registry.Dispose();
            throw;
        }

        // Kill the registry as soon as the layer is under way (the first "downloading" report of it, at byte 0 or a
        // little after): the daemon's pull retries, finds nobody, and gives up.
        var killed = 0;
        long seenWhenKilled = -1, layerSize = 0;
        string? layerDigest = null;
        var recorder = new Recorder(e =>
        {
            if (e.State == "downloading" && e.MediaType!.Contains("layer", StringComparison.Ordinal) && Interlocked.Exchange(ref killed, 1) == 0)
            {
                seenWhenKilled = e.Current ?? -1;
                layerSize = e.Total ?? 0;
                layerDigest = e.Digest;
                registry.Dispose();
            }
        });
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<CartonException>(() => daemon.Client.Images.PullAsync(reference, progress: recorder));
        registry.Dispose();

        Assert.Equal(1, killed);
        Assert.True(layerSize > size, $"the layer is {layerSize} bytes on the wire");
        Assert.InRange(seenWhenKilled, 0, layerSize - 1);
        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(recorder.Events, e => e.Digest == layerDigest && e.State is "done" or "verifying");
        Assert.Empty(IngestFiles());
        Assert.DoesNotContain(await daemon.Client.Images.ListAsync(), i => i.Name == reference);
        Assert.False(File.Exists(Path.Combine(daemon.ImageRoot, "blobs", "sha256", layerDigest![7..])), "no layer blob");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"the pull took {clock.Elapsed} to give up");
    }
    /// <summary>Push and prune through the client: an image pulled from one repository, tagged for another and pushed
    /// there, streams push progress and a result whose digest the registry then serves (read back by skopeo); a push
    /// of a name the store lacks is NotFound before any stream; after its names are removed, a prune reclaims the
    /// image's blobs, and the store no longer has them.</summary>
    [DaemonFact]
    public async Task Push_StreamsProgress_AndPrune_ReclaimsWhatNoNameReaches()
    {
        using var registry = new RegistryProcess(Path.Combine(_work, "registry"));
        // an image of its own (a 3 MiB layer no other test's image has): the daemon's store is shared by the
        // collection, and the prune below must find these blobs unreferenced, and only these matter
        var source = $"{registry.Host}/imgapi16/src:1";
        var manifestDigest = SkopeoPush(BigLayout(3 << 20), "big", source);
        var images = daemon.Client.Images;
        await images.PullAsync(source);
        var target = $"{registry.Host}/imgapi16/pushed:2";
        await images.TagAsync(source, target);

        var recorder = new Recorder();
        var pushed = await images.PushAsync(target, progress: recorder);
        Assert.Equal(ImageTransferEvent.ResultType, pushed.Type);
        Assert.Equal(target, pushed.Name);
        Assert.Equal(manifestDigest, pushed.Digest);
        Assert.NotEmpty(recorder.Events);
        Assert.All(recorder.Events, e => Assert.Contains(e.State, new[] { "waiting", "uploading", "done", "mounted", "exists" }));
        // every blob ends sent, mounted from the source repository, or already there
        Assert.All(recorder.Events.GroupBy(e => e.Digest), g => Assert.Contains(g.Last().State, new[] { "done", "mounted", "exists" }));
        var inspect = Run("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{target}");
        Assert.True(inspect.Exit == 0, inspect.Err);
        Assert.Equal(manifestDigest, inspect.Out.Trim());

        var missing = await Assert.ThrowsAsync<CartonException>(() => images.PushAsync($"{registry.Host}/imgapi16/none:1"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);

        // the blobs stay while a name reaches them, and go once none does
        var details = await images.InspectAsync(target);
        var blobs = details.Manifest.Layers.Select(l => l.Digest).Append(details.Manifest.Config.Digest).ToList();
        var kept = await images.PruneAsync();
        Assert.DoesNotContain(kept.RemovedBlobs, b => blobs.Contains(b.Id));
        await images.RemoveAsync(target);
        await images.RemoveAsync(source);
        var pruned = await images.PruneAsync();
        Assert.Subset(pruned.RemovedBlobs.Select(b => b.Id).ToHashSet(), blobs.ToHashSet());
        Assert.Equal(pruned.RemovedBlobs.Sum(b => b.Size) + pruned.RemovedLayers.Sum(l => l.Size), pruned.ReclaimedBytes);
        Assert.All(blobs, d => Assert.False(File.Exists(Path.Combine(daemon.ImageRoot, "blobs", "sha256", d[7..])), $"{d} is still in the store"));
    }
}
