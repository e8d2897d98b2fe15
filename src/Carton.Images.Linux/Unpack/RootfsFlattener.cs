using Carton.Linux.IO;

namespace Carton.Images.Linux.Unpack;

/// <summary>
/// A stack of layers flattened into one plain directory, bottom layer first, whiteouts applied by deletion: the
/// rootfs of a bundle (`carton image unpack REF DIR`). No overlay involved, so the result is an ordinary directory
/// tree that any runtime takes as root.path.
/// </summary>
public static class RootfsFlattener
{
    /// <summary>
    /// Creates <paramref name="target"/> (which must not exist) and applies each layer in turn, checking each one's
    /// DiffID. Returns each layer's result, bottom first. On any failure the whole directory is removed.
    /// <paramref name="options"/> gives the id mapping and rootless setting; whiteout mode, expected DiffID and
    /// per-layer sync are set here (one syncfs at the end).
    /// </summary>
    public static IReadOnlyList<LayerUnpackResult> Flatten(IReadOnlyList<LayerSource> layers, string target, UnpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        options ??= new UnpackOptions();
        foreach (var l in layers) LayerDigests.Validate(l.DiffId, "layer diffID");
        int rootFd = LayerUnpacker.CreateTarget(target, layers.Count > 0 ? layers[0].DiffId : "(no layers)");
        var results = new List<LayerUnpackResult>(layers.Count);
        try
        {
            foreach (var layer in layers)
            {
                using var stream = layer.Open();
                results.Add(LayerUnpacker.ApplyTo(stream, target, options with
                {
                    Whiteouts = WhiteoutMode.Apply,
                    ExpectedDiffId = layer.DiffId,
                    LayerName = null,
                    ParentLayers = null,
                    Sync = false,
                }));
            }
            if (options.Sync) FileSystemSync.Sync(rootFd, $"syncfs {target}");
            return results;
        }
        catch
        {
            FileDescriptor.Close(rootFd);
            rootFd = -1;
            LayerUnpacker.RemoveTarget(target);
            throw;
        }
        finally
        {
            FileDescriptor.Close(rootFd);
        }
    }
}
