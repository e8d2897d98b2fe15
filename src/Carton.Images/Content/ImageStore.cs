using Carton.Images.Formats;
using Carton.Images.Model;
using Carton.Images.Registry;

namespace Carton.Images.Content;

/// <summary>
/// The images of one root (the CLI's --image-root): blobs (<see cref="Content"/>), names (<see cref="Names"/>), and
/// the operations over both: pull, push, import, inspect, remove. The root is an OCI image layout:
/// <c>oci-layout</c>, <c>index.json</c>, <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>; beside it Carton keeps <c>ingest/</c>
/// (partial blobs, empty when no ingest is under way) and <c>locks/</c>.
/// </summary>
public sealed class ImageStore
{
    /// <summary>The default root (docs/architecture.md, "One layout on disk": /var/lib/carton is the persistent root).</summary>
    public const string DefaultRoot = "/var/lib/carton";

    public ImageStore(string root = DefaultRoot)
    {
        Content = new ContentStore(root);
        Names = new ImageNameIndex(Content);
    }

    public ContentStore Content { get; }
    public ImageNameIndex Names { get; }
    public string Root => Content.Root;

    /// <summary>Pulls <paramref name="reference"/> from its registry into the store and names it; see <see cref="ImagePuller"/>.
    /// Holds a shared <see cref="StoreLease"/> until the name is recorded, so a prune never takes its blobs.</summary>
    public async Task<StoredImage> PullAsync(string reference, RegistryOptions? options = null, IProgress<PullProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        using var lease = StoreLease.Shared(Root, cancellationToken);
        return await ImagePuller.PullAsync(this, reference, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pushes the image named <paramref name="reference"/> to the registry and repository it names; see
    /// <see cref="ImagePusher"/>. Holds a shared <see cref="StoreLease"/> throughout, so that a prune cannot take the
    /// blobs of an image whose name is removed meanwhile from under the upload.</summary>
    public async Task<PushedImage> PushAsync(string reference, RegistryOptions? options = null, IProgress<PushProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        using var lease = StoreLease.Shared(Root, cancellationToken);
        return await ImagePusher.PushAsync(this, reference, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Imports an OCI image layout (directory or tar) or a docker-archive (tar); see <see cref="ImageImporter"/>.
    /// Holds a shared <see cref="StoreLease"/> until the names are recorded.</summary>
    public async Task<IReadOnlyList<ImportedImage>> ImportAsync(string path, ImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var lease = StoreLease.Shared(Root, cancellationToken);
        return await ImageImporter.ImportAsync(this, path, options ?? new ImportOptions(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Imports a tar stream (an OCI layout's tar or a docker-archive), e.g. standard input.</summary>
    public async Task<IReadOnlyList<ImportedImage>> ImportAsync(Stream tar, ImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var lease = StoreLease.Shared(Root, cancellationToken);
        return await ImageImporter.ImportTarAsync(this, tar, options ?? new ImportOptions(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every named image.</summary>
    public IReadOnlyList<ImageRecord> List() => Names.List();

    /// <summary>The image named <paramref name="name"/> (normalised), or null.</summary>
    public ImageRecord? Get(string name) => Names.Get(name);

    /// <summary>Names <paramref name="target"/> (already in the store) <paramref name="name"/>; a tag.</summary>
    public async Task PutAsync(string name, Descriptor target, CancellationToken cancellationToken = default)
    {
        // Under a lease: a prune between the check and the name would take the blob the name is about to point at.
        using var lease = StoreLease.Shared(Root, cancellationToken);
        if (!Content.Has(Digest.Parse(target.Digest, "digest")))
            throw new CartonException(ErrorKind.NotFound, $"image {name}: {target.Digest} is not in the content store {Root}");
        await Names.PutAsync(name, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives the image <paramref name="source"/> names (a name in the store, or the digest of a named image's index
    /// or manifest) the new name <paramref name="target"/>, as `docker tag` does: both point at the same descriptor.
    /// The new name must be a tag, not a digest (a digest names content, it cannot be moved). Returns the canonical
    /// new name.
    /// </summary>
    public async Task<string> TagAsync(string source, string target, CancellationToken cancellationToken = default)
    {
        var to = ImageReference.Parse(target);
        if (to.Digest is not null)
            throw new CartonException(ErrorKind.InvalidDocument, $"tag {source} {target}: the new name has a digest; a tag cannot be made by digest", jsonPath: "target");
        var record = FindByDigest(source) ?? Get(source)
            ?? throw new CartonException(ErrorKind.NotFound, $"tag {source} {target}: no image \"{source}\" in {Root}");
        await PutAsync(to.ToString(), record.Target, cancellationToken).ConfigureAwait(false);
        return to.ToString();
    }

    /// <summary>The first named image whose index or manifest digest is <paramref name="text"/> (sha256:…), or null.</summary>
    private ImageRecord? FindByDigest(string text) =>
        Digest.TryParse(text, out var digest) ? List().FirstOrDefault(r => r.Digest == digest) : null;

    /// <summary>Removes a name; the blobs stay (`carton image prune` removes what no name reaches).</summary>
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default) => Names.RemoveAsync(name, cancellationToken);

    /// <summary>
    /// The named image resolved to <paramref name="platform"/> (default the host's): its manifest and config read from
    /// the store. NotFound when the name is unknown or the index has no manifest for the platform in the store.
    /// </summary>
    public StoredImage Inspect(string name, Platform? platform = null)
    {
        var record = Get(name) ?? throw new CartonException(ErrorKind.NotFound, $"image {name}: no such image in {Root}");
        return Resolve(record.Name, record.Target, platform);
    }

    /// <summary>Resolves a descriptor in the store (an index to the platform's manifest present here) to the image.</summary>
    public StoredImage Resolve(string name, Descriptor target, Platform? platform = null)
    {
        var (descriptor, manifest) = ResolveManifest(name, target, platform);
        var configDigest = Digest.Parse(manifest.Config.Digest, "config.digest");
        var config = ManifestDocuments.ParseConfig(Content.ReadAllBytes(configDigest), $"image {name}: config {configDigest}");
        return new StoredImage(name, target, descriptor, manifest, config);
    }

    /// <summary>The manifest <paramref name="target"/> resolves to (an index to the platform's manifest present here),
    /// without reading the config: enough for sizes and layers (`image ls` reads 500 of these).</summary>
    public (Descriptor Descriptor, Manifest Manifest) ResolveManifest(string name, Descriptor target, Platform? platform = null)
    {
        var descriptor = target;
        var digest = Digest.Parse(descriptor.Digest, "digest");
        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            platform ??= Platform.Host();
            var index = ManifestDocuments.ParseIndex(Content.ReadAllBytes(digest), $"image {name}: index {digest}");
            var present = index.Manifests.Where(m => Digest.TryParse(m.Digest, out var d) && Content.Has(d));
            descriptor = PlatformMatcher.Select(present, platform)
                ?? throw new CartonException(ErrorKind.NotFound, $"image {name}: index {digest} has no manifest for platform {platform} in this store");
            digest = Digest.Parse(descriptor.Digest, "digest");
        }
        return (descriptor, ManifestDocuments.ParseManifest(Content.ReadAllBytes(digest), $"image {name}: manifest {digest}"));
    }

    /// <summary>
    /// Deletes the blobs no name reaches (through its index, manifests, config and layers), under the exclusive
    /// <see cref="StoreLease"/>: pulls and imports hold a shared one until their names are recorded, so their blobs
    /// are never taken. <paramref name="minimumAge"/> (default none) also keeps blobs younger than it. Returns the
    /// deleted blobs. <c>carton image prune</c> (Carton.Images.Linux's ImagePruner) adds the snapshots.
    /// </summary>
    public async Task<IReadOnlyList<Digest>> PruneAsync(TimeSpan? minimumAge = null, CancellationToken cancellationToken = default)
    {
        using var lease = StoreLease.Exclusive(Root, cancellationToken);
        var removed = await SweepBlobsAsync(MarkReachable(), minimumAge ?? TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return [.. removed.Select(b => b.Digest)];
    }

    /// <summary>Every blob a name reaches: its index, the index's manifests, their configs and layers (the ones the
    /// documents list, present or not). Call under the exclusive <see cref="StoreLease"/> for the answer to hold.</summary>
    public HashSet<Digest> MarkReachable()
    {
        var reachable = new HashSet<Digest>();
        foreach (var record in List()) Mark(record.Name, record.Target, reachable, 0);
        return reachable;
    }

    /// <summary>Deletes every blob not in <paramref name="keep"/> and older than <paramref name="minimumAge"/>; the
    /// caller holds the exclusive <see cref="StoreLease"/>. Returns what was deleted and its size.</summary>
    public async Task<IReadOnlyList<RemovedBlob>> SweepBlobsAsync(HashSet<Digest> keep, TimeSpan minimumAge, CancellationToken cancellationToken = default)
    {
        var cutoff = DateTime.UtcNow - minimumAge;
        var deleted = new List<RemovedBlob>();
        foreach (var digest in Content.List().ToList())
        {
            if (keep.Contains(digest)) continue;
            if (minimumAge > TimeSpan.Zero && File.GetLastWriteTimeUtc(Content.BlobPath(digest)) > cutoff) continue;
            long size = Content.SizeOf(digest) ?? 0;
            if (await Content.DeleteAsync(digest, cancellationToken).ConfigureAwait(false)) deleted.Add(new RemovedBlob(digest, size));
        }
        return deleted;
    }

    private void Mark(string name, Descriptor descriptor, HashSet<Digest> reachable, int depth)
    {
        if (!Digest.TryParse(descriptor.Digest, out var digest) || !reachable.Add(digest) || !Content.Has(digest) || depth > 4) return;
        try
        {
            if (MediaTypes.IsIndex(descriptor.MediaType))
            {
                foreach (var child in ManifestDocuments.ParseIndex(Content.ReadAllBytes(digest), $"image {name}: index {digest}").Manifests)
                    Mark(name, child, reachable, depth + 1);
            }
            else if (MediaTypes.IsManifest(descriptor.MediaType))
            {
                var manifest = ManifestDocuments.ParseManifest(Content.ReadAllBytes(digest), $"image {name}: manifest {digest}");
                foreach (var blob in manifest.Layers.Prepend(manifest.Config))
                    if (Digest.TryParse(blob.Digest, out var d)) reachable.Add(d);
            }
        }
        catch (CartonException e) when (e.Kind is ErrorKind.InvalidDocument or ErrorKind.Unsupported)
        {
            // A document that does not parse reaches nothing more; `carton image check` reports it.
        }
    }

    /// <summary>Opens a layer blob as its tar stream (decompressed); see <see cref="LayerStream.Open"/>.</summary>
    public Stream OpenLayer(Descriptor layer) => LayerStream.Open(Content.Open(Digest.Parse(layer.Digest, "digest")), layer.MediaType);
}
