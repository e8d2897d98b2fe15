using Carton.Images.Content;
using Carton.Images.Model;

namespace Carton.Images.Registry;

/// <summary>
/// A push: the image a name of the store points at goes to the registry and repository that name says. Blobs first
/// (several at once; each skipped when the registry has it, mounted when another repository of that registry should
/// have it), then the manifests, then the index that names them: a tag never points at something incomplete
/// (distribution-spec spec.md, "Push": "the blobs ... are uploaded first, and the manifest last").
/// </summary>
public static class ImagePusher
{
    /// <summary>Mount sources tried per blob, at most (each a round trip when the registry refuses).</summary>
    private const int MaxMountSources = 3;

    public static async Task<PushedImage> PushAsync(ImageStore store, string reference, RegistryOptions? options,
        IProgress<PushProgress>? progress, CancellationToken cancellationToken)
    {
        options ??= new RegistryOptions();
        var image = ImageReference.Parse(reference);
        var record = store.Get(image.ToString())
            ?? throw new CartonException(ErrorKind.NotFound, $"image {image}: no such image in {store.Root} (pull, import or tag it first)");
        var top = Digest.Parse(record.Target.Digest, "digest");
        var topContent = store.Content.ReadAllBytes(top);

        // What to send: the manifests the store has (all of a single-platform image; those of an index that were
        // pulled), and the index's other children, which the registry must already have.
        var manifests = new List<(Descriptor Descriptor, byte[] Content, Manifest Parsed)>();
        var absent = new List<Descriptor>();
        if (MediaTypes.IsIndex(record.Target.MediaType))
        {
            var index = ManifestDocuments.ParseIndex(topContent, $"image {image}: index {top}");
            foreach (var child in index.Manifests)
            {
                var d = Digest.Parse(child.Digest, "manifests[].digest");
                if (!store.Content.Has(d)) absent.Add(child);
                else if (MediaTypes.IsManifest(child.MediaType))
                    manifests.Add((child, store.Content.ReadAllBytes(d), ManifestDocuments.ParseManifest(store.Content.ReadAllBytes(d), $"image {image}: manifest {d}")));
                else
                    throw new CartonException(ErrorKind.Unsupported, $"image {image}: index {top} names {child.MediaType} {d}: push sends image manifests only");
            }
        }
        else
        {
            manifests.Add((record.Target, topContent, ManifestDocuments.ParseManifest(topContent, $"image {image}: manifest {top}")));
        }

        using var client = new RegistryClient(image.Registry, options);
        foreach (var child in absent)
            if (!await client.HasManifestAsync(image, Digest.Parse(child.Digest), cancellationToken).ConfigureAwait(false))
                throw new CartonException(ErrorKind.NotFound,
                    $"image {image}: index {top} names manifest {child.Digest} ({child.Platform?.ToString() ?? "no platform"}), which is neither in the store {store.Root} (pulled for another platform) nor at registry {image.Registry}");

        var blobs = manifests.SelectMany(m => m.Parsed.Layers.Prepend(m.Parsed.Config)).DistinctBy(b => b.Digest).ToList();
        var sources = MountSources(store, image);
        foreach (var blob in blobs)
            progress?.Report(new PushProgress(Digest.Parse(blob.Digest, "digest"), 0, blob.Size, PushState.Waiting, blob.MediaType));
        await Parallel.ForEachAsync(blobs,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxConcurrentUploads), CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                var from = sources.TryGetValue(Digest.Parse(blob.Digest), out var repos) ? repos : [];
                await client.PushBlobAsync(image, blob, store.Content, from, progress, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);

        if (record.Target.MediaType is var topType && MediaTypes.IsIndex(topType))
        {
            // The index's children by digest first: a registry may refuse an index naming unknown manifests.
            foreach (var (descriptor, content, parsed) in manifests)
                await client.PutManifestAsync(image, descriptor.Digest, content, ContentTypeOf(parsed.MediaType, descriptor), cancellationToken).ConfigureAwait(false);
            var index = ManifestDocuments.ParseIndex(topContent, $"image {image}: index {top}");
            await client.PutManifestAsync(image, image.ManifestReference, topContent, ContentTypeOf(index.MediaType, record.Target), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var (descriptor, content, parsed) = manifests[0];
            await client.PutManifestAsync(image, image.ManifestReference, content, ContentTypeOf(parsed.MediaType, descriptor), cancellationToken).ConfigureAwait(false);
        }
        return new PushedImage(image.ToString(), record.Target, blobs.Count);
    }

    /// <summary>spec.md, "Pushing Manifests": a manifest's mediaType field, when it has one, is its Content-Type.</summary>
    private static string ContentTypeOf(string? documentMediaType, Descriptor descriptor) =>
        !string.IsNullOrEmpty(documentMediaType) ? documentMediaType : descriptor.MediaType;

    /// <summary>
    /// Where the registry should already have each blob: the other repositories of the same registry that names in
    /// the store point at (an image pulled from registry/a and tagged registry/b gets its blobs mounted from a).
    /// </summary>
    private static Dictionary<Digest, List<string>> MountSources(ImageStore store, ImageReference image)
    {
        var sources = new Dictionary<Digest, List<string>>();
        foreach (var other in store.List())
        {
            if (!ImageReference.TryParse(other.Name, out var name) || name.Registry != image.Registry || name.Repository == image.Repository) continue;
            foreach (var blob in BlobsOf(store, other))
            {
                if (!sources.TryGetValue(blob, out var list)) sources[blob] = list = [];
                if (list.Count < MaxMountSources && !list.Contains(name.Repository)) list.Add(name.Repository);
            }
        }
        return sources;
    }

    /// <summary>The configs and layers of a named image's manifests that the store has.</summary>
    private static IEnumerable<Digest> BlobsOf(ImageStore store, ImageRecord record)
    {
        var manifests = new List<Descriptor>();
        if (MediaTypes.IsIndex(record.Target.MediaType))
        {
            if (!store.Content.Has(record.Digest)) yield break;
            manifests.AddRange(ManifestDocuments.ParseIndex(store.Content.ReadAllBytes(record.Digest), $"image {record.Name}: index {record.Digest}").Manifests);
        }
        else
        {
            manifests.Add(record.Target);
        }
        foreach (var m in manifests)
        {
            if (!MediaTypes.IsManifest(m.MediaType) || !Digest.TryParse(m.Digest, out var d) || !store.Content.Has(d)) continue;
            var parsed = ManifestDocuments.ParseManifest(store.Content.ReadAllBytes(d), $"image {record.Name}: manifest {d}");
            foreach (var blob in parsed.Layers.Prepend(parsed.Config))
                if (Digest.TryParse(blob.Digest, out var b)) yield return b;
        }
    }
}

/// <summary>What a push sent: the name, the descriptor its tag now points at, and how many blobs it covered.</summary>
/// <param name="Name">the canonical reference pushed.</param>
/// <param name="Target">the manifest or index the registry now has under the tag.</param>
/// <param name="Blobs">configs and layers pushed, skipped or mounted.</param>
public sealed record PushedImage(string Name, Descriptor Target, int Blobs)
{
    public Digest Digest => Digest.Parse(Target.Digest, "digest");
}
