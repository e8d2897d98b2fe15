using Carton.Images.Content;

namespace Carton.Images.Windows;

/// <summary>
/// The wiring point between Carton.Images and the Windows importer: an image in the store becomes the layer sources
/// <see cref="LayerFolders.EnsureImported"/> takes, each opening its blob from the content store through
/// Carton.Images' decompressor (ImageStore.OpenLayer: gzip, zstd or plain tar by media type or magic bytes), paired
/// with the config's DiffID so the import checks the uncompressed bytes. The Windows counterpart of what
/// Carton.Compute.Linux's ImageRootfs does with the snapshotter.
/// </summary>
public static class ImageLayerSources
{
    /// <summary>The layers of <paramref name="image"/>, bottom first. Nothing is opened until a layer is imported.</summary>
    public static IReadOnlyList<WindowsLayerSource> Of(ImageStore store, StoredImage image)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(image);
        if (image.Layers.Count != image.DiffIds.Count)
            throw new CartonException(ErrorKind.InvalidDocument,
                $"{image.Name}: the manifest has {image.Layers.Count} layers but the config's rootfs.diff_ids has {image.DiffIds.Count}");
        return [.. image.Layers.Select((layer, i) => new WindowsLayerSource(image.DiffIds[i], () => store.OpenLayer(layer)))];
    }
}
