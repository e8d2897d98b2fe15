using Carton.Images.Content;
using Carton.Images.Model;

namespace Carton.Images.Registry;

/// <summary>
/// A pull: resolve the reference (index → the platform's manifest), download the config and the layers (several at
/// once) into the content store, then store the manifest and the index, and only then name the image. A pull that
/// fails leaves the blobs it verified (they are correct content) and no name; nothing unverified is ever visible.
/// </summary>
public static class ImagePuller
{
    public static async Task<StoredImage> PullAsync(ImageStore store, string reference, RegistryOptions? options,
        IProgress<PullProgress>? progress, CancellationToken cancellationToken)
    {
        options ??= new RegistryOptions();
        var image = ImageReference.Parse(reference);
        using var client = new RegistryClient(image.Registry, options);
        var resolved = await client.ResolveAsync(image, options.Platform, cancellationToken).ConfigureAwait(false);
        var manifest = resolved.Parsed;

        // The config first: it is small, and a malformed one should fail the pull before the layers are fetched.
        await client.DownloadBlobAsync(image, manifest.Config, store.Content, progress, cancellationToken).ConfigureAwait(false);
        var configDigest = Digest.Parse(manifest.Config.Digest, "config.digest");
        var config = ManifestDocuments.ParseConfig(store.Content.ReadAllBytes(configDigest), $"image {image}: config {configDigest}");
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
            throw new CartonException(ErrorKind.InvalidDocument,
                $"image {image}: config {configDigest} lists {config.RootFs.DiffIds.Count} diff_ids for the manifest's {manifest.Layers.Count} layers",
                jsonPath: "rootfs.diff_ids");

        var layers = manifest.Layers.DistinctBy(l => l.Digest).ToList();
        foreach (var layer in layers)
            if (!store.Content.Has(Digest.Parse(layer.Digest, "layers[].digest")))
                progress?.Report(new PullProgress(Digest.Parse(layer.Digest), 0, layer.Size, PullState.Waiting, layer.MediaType));
        await Parallel.ForEachAsync(layers,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxConcurrentDownloads), CancellationToken = cancellationToken },
            async (layer, ct) => await client.DownloadBlobAsync(image, layer, store.Content, progress, ct).ConfigureAwait(false)).ConfigureAwait(false);

        // Documents last, top last: a name never points at a manifest whose blobs are missing.
        await store.Content.IngestBytesAsync(resolved.Manifest.Content, resolved.Manifest.Digest, cancellationToken).ConfigureAwait(false);
        if (resolved.Index is { } index)
            await store.Content.IngestBytesAsync(index.Content, index.Digest, cancellationToken).ConfigureAwait(false);
        var name = image.ToString();
        var target = resolved.Top.ToDescriptor();
        await store.Names.PutAsync(name, target, cancellationToken).ConfigureAwait(false);
        return new StoredImage(name, target, resolved.ManifestDescriptor, manifest, config);
    }
}
