using System.Text;
using Carton.Images.Model;
using Carton.Images.Registry;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>
/// Bad answers, from the real registries or from the fault proxy in front of the plain one: each is a CartonException
/// of the right kind naming the image and the manifest or blob, and the store stays consistent (no wrong blob, no
/// partial file, no name).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryFaultTests : IDisposable
{
    private readonly RegistryFixture _registries;
    private readonly TempStore _temp = new();

    public RegistryFaultTests(RegistryFixture registries)
    {
        _registries = registries;
        registries.Proxy.Reset();
    }

    public void Dispose()
    {
        _registries.Proxy.Reset();
        _temp.Dispose();
    }

    private string Via(TestImage image) => $"{_registries.Proxy.Host}/{image.Repository}:{image.Tag}";

    private async Task<CartonException> PullFails(string reference, RegistryOptions? options = null)
    {
        var e = await Assert.ThrowsAsync<CartonException>(() => _temp.Store.PullAsync(reference, options ?? _registries.Options()));
        Assert.Contains(ImageReference.Parse(reference).ToString(), e.Message);
        Assert.Empty(_temp.Store.List());
        _temp.AssertConsistent();
        return e;
    }

    private int Count(string pathPart) => _registries.Proxy.Requests.Count(r => r.Contains(pathPart, StringComparison.Ordinal));

    [Fact]
    public async Task BadPassword_Is401_PermissionDenied()
    {
        var e = await PullFails($"{_registries.Secure.Host}/{TestImages.SingleOci.Repository}:1",
            _registries.Options(new RegistryCredentials(RegistryFixture.User, "wrong")));
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("401", e.Message);
        Assert.Contains("manifest 1", e.Message);
        Assert.Contains($"user {RegistryFixture.User}", e.Message);
    }

    [Fact]
    public async Task NoCredentials_ForABasicAuthRegistry_SaysAuthenticationIsRequired()
    {
        var e = await PullFails($"{_registries.Secure.Host}/{TestImages.SingleOci.Repository}:1");
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("requires authentication", e.Message);
    }

    [Fact]
    public async Task Forbidden_Is403_PermissionDenied()
    {
        _registries.Proxy.Add("/manifests/", new Fault.Status(403, "DENIED"));
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("403", e.Message);
        Assert.Contains("DENIED", e.Message);
        Assert.Equal(1, Count("/manifests/")); // not retried
    }

    [Fact]
    public async Task MissingTag_Is404_NotFound()
    {
        var e = await PullFails($"{_registries.Plain.Host}/{TestImages.SingleOci.Repository}:no-such-tag");
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("manifest no-such-tag", e.Message);
        Assert.Contains("MANIFEST_UNKNOWN", e.Message);
    }

    [Fact]
    public async Task TooManyRequests_RetriedWithBackoff_ThenUnavailable()
    {
        _registries.Proxy.Add("/manifests/", new Fault.Status(429, "TOOMANYREQUESTS", RetryAfter: "0"));
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Contains("429", e.Message);
        Assert.Contains("after 3 retries", e.Message);
        Assert.Equal(4, Count("/manifests/"));
    }

    [Fact]
    public async Task TooManyRequests_Twice_ThenTheRetrySucceeds()
    {
        _registries.Proxy.Add("/manifests/", new Fault.Status(429, "TOOMANYREQUESTS"), times: 2);
        var pulled = await _temp.Store.PullAsync(Via(TestImages.SingleOci), _registries.Options());
        Assert.Equal(TestImages.SingleOci.TopDigest.ToString(), pulled.Target.Digest);
        Assert.Equal(3, Count("/manifests/"));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task ServerErrorOnABlob_RetriedThenUnavailable_NamingTheBlob()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        _registries.Proxy.Add(layer.Digest.ToString(), new Fault.Status(500, "UNKNOWN"));
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Contains($"blob {layer.Digest}", e.Message);
        Assert.Contains("500", e.Message);
        Assert.Equal(4, Count(layer.Digest.ToString()));
    }

    [Fact]
    public async Task ServiceUnavailable_Once_IsRetried()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        _registries.Proxy.Add(layer.Digest.ToString(), new Fault.Status(503, "UNAVAILABLE"), times: 1);
        await _temp.Store.PullAsync(Via(TestImages.SingleOci), _registries.Options());
        Assert.True(_temp.Store.Content.Has(layer.Digest));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task DroppedConnectionMidBlob_ResumesWithARangeRequest()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        Assert.True(layer.Content.Length > 400_000);
        _registries.Proxy.Add(layer.Digest.ToString(), new Fault.DropAfter(300_000), times: 1);
        var pulled = await _temp.Store.PullAsync(Via(TestImages.SingleOci), _registries.Options());
        Assert.Equal(layer.Content, File.ReadAllBytes(_temp.Store.Content.BlobPath(layer.Digest)));
        var gets = _registries.Proxy.Requests.Where(r => r.Contains(layer.Digest.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal(2, gets.Count);
        Assert.DoesNotContain("bytes=", gets[0]);
        // The second request asks only for what was not on disk: from where the first stopped.
        var range = gets[1][(gets[1].IndexOf("bytes=", StringComparison.Ordinal) + 6)..];
        var from = long.Parse(range.TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(from, 1, 300_000);
        _temp.AssertConsistent();
        Assert.Single(_temp.Store.List());
    }

    [Fact]
    public async Task PartialLeftByAKilledPull_IsResumedFromItsEnd()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        // What a pull killed mid-blob leaves: the first bytes in ingest/ (the kernel dropped its lock).
        Directory.CreateDirectory(_temp.Store.Content.IngestDirectory);
        File.WriteAllBytes(Path.Combine(_temp.Store.Content.IngestDirectory, $"sha256-{layer.Digest.Encoded}.partial"), layer.Content[..123_456]);
        await _temp.Store.PullAsync(Via(TestImages.SingleOci), _registries.Options());
        Assert.Contains(_registries.Proxy.Requests, r => r.Contains(layer.Digest.ToString(), StringComparison.Ordinal) && r.EndsWith("bytes=123456-", StringComparison.Ordinal));
        Assert.Equal(layer.Content, File.ReadAllBytes(_temp.Store.Content.BlobPath(layer.Digest)));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task TruncatedBlob_EveryTime_IsUnavailableSayingTruncated()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        // Each answer (whole or ranged) ends cleanly after 1000 bytes.
        _registries.Proxy.Add(layer.Digest.ToString(), new Fault.Truncate(1000));
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"blob {layer.Digest}", e.Message);
        Assert.False(_temp.Store.Content.Has(layer.Digest));
    }

    [Fact]
    public async Task CorruptBlob_IsADigestMismatch_InvalidDocument_AndNotStored()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        _registries.Proxy.Add(layer.Digest.ToString(), new Fault.Corrupt());
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("digest mismatch", e.Message);
        Assert.Contains($"blob {layer.Digest}", e.Message);
        Assert.False(_temp.Store.Content.Has(layer.Digest));
    }

    [Fact]
    public async Task ManifestByDigest_WithOtherContent_IsADigestMismatch()
    {
        var image = TestImages.SingleOci;
        _registries.Proxy.Add("/manifests/", new Fault.Replace(TestImages.DockerV2.TopContent, MediaTypes.DockerManifest));
        var e = await PullFails($"{_registries.Proxy.Host}/{image.Repository}@{image.TopDigest}");
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("digest mismatch", e.Message);
        Assert.Contains($"manifest {image.TopDigest}", e.Message);
    }

    [Fact]
    public async Task Schema1_IsRefusedSayingSo()
    {
        var schema1 = """{"schemaVersion":1,"name":"carton/single","tag":"1","architecture":"amd64","fsLayers":[],"history":[],"signatures":[]}"""u8.ToArray();
        _registries.Proxy.Add("/manifests/", new Fault.Replace(schema1, MediaTypes.DockerManifestSchema1Signed));
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Contains("schema 1", e.Message);
        Assert.Equal(1, Count("/manifests/"));
    }

    [Fact]
    public async Task MalformedManifestJson_IsInvalidDocument()
    {
        _registries.Proxy.Add("/manifests/", new Fault.Replace("{\"schemaVersion\": 2, \"layers\": ["u8.ToArray(), MediaTypes.OciManifest));
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("malformed JSON", e.Message);
        Assert.Contains("manifest 1", e.Message);
    }

    [Fact]
    public async Task UnknownManifestMediaType_IsRefusedNamingIt()
    {
        var body = """{"schemaVersion":2,"mediaType":"application/vnd.example.thing.v1+json","config":{},"layers":[]}"""u8.ToArray();
        _registries.Proxy.Add("/manifests/", new Fault.Replace(body, "application/vnd.example.thing.v1+json"));
        var e = await PullFails(Via(TestImages.SingleOci));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Contains("application/vnd.example.thing.v1+json", e.Message);
    }

    [Fact]
    public async Task UnknownLayerMediaType_IsRefusedNamingIt_BeforeAnyDownload()
    {
        var layer = new TestBlob("not a layer"u8.ToArray(), "application/vnd.example.weird");
        var manifest = TestImages.Manifest("amd64", false, (layer.Content, layer.Content, layer.MediaType));
        using (var pusher = new Pusher(_registries.Plain.BaseUri, null, _ => null))
            await pusher.PushAsync(TestImages.Single("carton/weird", "1", manifest));
        var e = await PullFails($"{_registries.Proxy.Host}/carton/weird:1");
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Contains("application/vnd.example.weird", e.Message);
        Assert.Contains(layer.Digest.ToString(), e.Message);
        Assert.Equal(0, Count("/blobs/"));
    }

    [Fact]
    public async Task MalformedConfigJson_IsInvalidDocumentNamingTheConfig()
    {
        var layer = TestImages.SmallLayer("x", "x", LayerCompression.Gzip);
        var good = TestImages.Manifest("amd64", false, layer);
        var badConfig = new TestBlob(Encoding.UTF8.GetBytes("{\"architecture\": \"amd64\", \"rootfs\": "), MediaTypes.OciConfig);
        var manifestJson = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new System.Text.Json.Nodes.JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = TestImages.DescriptorJson(badConfig.Descriptor),
            ["layers"] = new System.Text.Json.Nodes.JsonArray(TestImages.DescriptorJson(good.Layers[0].Descriptor)),
        });
        var bad = new TestManifest(manifestJson, MediaTypes.OciManifest, badConfig, good.Layers, good.Platform);
        using (var pusher = new Pusher(_registries.Plain.BaseUri, null, _ => null))
            await pusher.PushAsync(TestImages.Single("carton/badconfig", "1", bad));
        var e = await PullFails($"{_registries.Plain.Host}/carton/badconfig:1");
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains($"config {badConfig.Digest}", e.Message);
        Assert.Contains("malformed JSON", e.Message);
    }

    [Fact]
    public async Task StalledResponse_IsDroppedAfterTheIdleTimeout_AndRetried()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        _registries.Proxy.Add(layer.Digest.ToString(), new Fault.Delay(TimeSpan.FromSeconds(3)), times: 1);
        var options = _registries.Options();
        options.IdleTimeout = TimeSpan.FromMilliseconds(500);
        await _temp.Store.PullAsync(Via(TestImages.SingleOci), options);
        Assert.Equal(2, Count(layer.Digest.ToString()));
        Assert.True(_temp.Store.Content.Has(layer.Digest));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task StalledEveryTime_IsATimeout()
    {
        var layer = TestImages.SingleOci.Manifests[0].Layers[0];
        _registries.Proxy.Add(layer.Digest.ToString(), new Fault.Delay(TimeSpan.FromSeconds(3)));
        var options = _registries.Options();
        options.IdleTimeout = TimeSpan.FromMilliseconds(300);
        options.MaxRetries = 1;
        var e = await PullFails(Via(TestImages.SingleOci), options);
        Assert.Equal(ErrorKind.Timeout, e.Kind);
        Assert.Contains($"blob {layer.Digest}", e.Message);
    }

    [Fact]
    public async Task Prune_DeletesOnlyWhatNoNameReaches()
    {
        var options = _registries.Options();
        await _temp.Store.PullAsync($"{_registries.Plain.Host}/{TestImages.SingleOci.Repository}:1", options);
        await _temp.Store.PullAsync($"{_registries.Plain.Host}/{TestImages.Mixed.Repository}:1", options);
        var before = _temp.Store.Content.List().ToHashSet();
        Assert.Empty(await _temp.Store.PruneAsync(TimeSpan.Zero));

        Assert.True(await _temp.Store.RemoveAsync($"{_registries.Plain.Host}/{TestImages.Mixed.Repository}:1"));
        // Young blobs are kept (a pull may be about to name them).
        Assert.Empty(await _temp.Store.PruneAsync(TimeSpan.FromHours(1)));
        var deleted = await _temp.Store.PruneAsync(TimeSpan.Zero);
        var mixed = TestImages.Mixed.Manifests[0];
        // The busybox layer is shared with the single image: it stays.
        var expected = mixed.Layers.Skip(1).Select(l => l.Digest).Append(mixed.Config.Digest).Append(mixed.Digest).ToHashSet();
        Assert.Equal(expected, deleted.ToHashSet());
        Assert.Equal(before.Except(expected).ToHashSet(), _temp.Store.Content.List().ToHashSet());
        Assert.NotNull(_temp.Store.Inspect($"{_registries.Plain.Host}/{TestImages.SingleOci.Repository}:1"));
        _temp.AssertConsistent();
    }

    [Fact]
    public async Task NothingListening_IsUnavailable_AfterRetries()
    {
        var port = RegistryProcess.FreePort();
        var e = await PullFails($"127.0.0.1:{port}/{TestImages.SingleOci.Repository}:1");
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Contains("after 3 retries", e.Message);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }
}
