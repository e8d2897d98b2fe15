using Carton.Images;
using Carton.Images.Content;
using Carton.Images.Linux;
using Carton.Images.Linux.Snapshots;
using Carton.Images.Model;
using Carton.Images.Registry;
using Carton.Images.Spec;
using Carton.Linux.IO;
using Carton.Linux.Rootfs;

namespace Carton.Compute.Linux;

/// <summary>
/// A compute system's root from an image: the image resolved in the store (pulled when the store lacks it, as
/// `docker run` does), its layers unpacked once into the shared snapshotter, an active snapshot for the system, and
/// the image's config as a runtime spec. Removing the system removes its active snapshot and nothing else.
/// From <see cref="Resolve"/> until <see cref="Mount"/> has prepared the active snapshot (or until disposed) it holds
/// a shared <see cref="StoreLease"/>: a `carton image prune --all` would otherwise see an image no container uses yet
/// and remove it, with its layers, under the system being created. Once the snapshot exists it is the reference.
/// </summary>
internal sealed class ImageRootfs : IDisposable
{
    private StoreLease? _lease;

    private ImageRootfs(StoredImage image, Snapshotter snapshots, string topChainId, StoreLease lease)
    {
        Image = image;
        Snapshots = snapshots;
        TopChainId = topChainId;
        _lease = lease;
    }

    public StoredImage Image { get; }
    public Snapshotter Snapshots { get; }
    public string TopChainId { get; }

    /// <summary>The active snapshot's key for a system: one per system id.</summary>
    public static string SnapshotKey(string id) => "compute-" + id;

    /// <summary>The snapshotter under an image root: &lt;root&gt;/snapshots.</summary>
    public static Snapshotter SnapshotterAt(string imageRoot) => new(Path.Combine(imageRoot, "snapshots"));

    /// <summary>Finds (or pulls) <paramref name="reference"/> and makes sure its layers are unpacked.</summary>
    /// <param name="reference">the image reference the document gives.</param>
    /// <param name="imageRoot">the image store's root (its snapshots are under it).</param>
    /// <param name="field">the document's field, for errors ("Container.Image", "image").</param>
    public static ImageRootfs Resolve(string reference, string imageRoot, string field)
    {
        var lease = StoreLease.Shared(imageRoot);
        try
        {
            var store = new ImageStore(imageRoot);
            if (store.Get(reference) is null)
                store.PullAsync(reference, new RegistryOptions()).GetAwaiter().GetResult();
            var image = store.Inspect(reference);
            if (image.Layers.Count != image.DiffIds.Count)
                throw new CartonException(ErrorKind.InvalidDocument,
                    $"{image.Name}: the manifest has {image.Layers.Count} layers but the config's rootfs.diff_ids has {image.DiffIds.Count}");
            var layers = image.Layers.Select((l, i) => new LayerSource(image.DiffIds[i], () => store.OpenLayer(l))).ToList();
            var snapshots = SnapshotterAt(imageRoot);
            var top = snapshots.EnsureLayers(layers);
            return new ImageRootfs(image, snapshots, top, lease);
        }
        catch (CartonException e) when (e is not ComputeException)
        {
            lease.Dispose();
            throw new ComputeException(e.Kind, $"{field}: \"{reference}\": {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            lease.Dispose();
            throw new ComputeException(ErrorKind.Unavailable, $"{field}: \"{reference}\": {e.Message}", e);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lease (Mount does once the snapshot is recorded).</summary>
    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Dispose();

    /// <summary>The image's config as a spec (<see cref="ImageSpec"/>), users resolved through its layers.</summary>
    public (Carton.Oci.Spec Spec, List<string> Warnings) BuildSpec(string rootfsPath, ImageConfigOverrides? overrides = null) =>
        ImageSpec.Build(Image.Config, new ImageSpecOptions
        {
            RootfsPath = rootfsPath, ReadRootfsFile = ReadFile,
            Entrypoint = overrides?.Entrypoint, Command = overrides?.Cmd, User = overrides?.User is { Length: > 0 } u ? u : null,
            WorkingDir = overrides?.WorkingDir is { Length: > 0 } w ? w : null,
        });

    /// <summary>Prepares the system's active snapshot and mounts it at <paramref name="target"/>.</summary>
    public void Mount(string id, string target)
    {
        ActiveSnapshot snapshot;
        try { snapshot = Snapshots.Prepare(SnapshotKey(id), TopChainId); }
        finally { Dispose(); } // the snapshot now references the layers (or there is nothing to protect)
        try { Snapshots.Mount(snapshot, target); }
        catch
        {
            Snapshots.Remove(snapshot.Key);
            throw;
        }
    }

    /// <summary>Unmounts <paramref name="target"/> and removes the system's active snapshot (not the layers).</summary>
    public static void Remove(string imageRoot, string id, string target)
    {
        if (Directory.Exists(target)) Snapshotter.Unmount(target);
        var snapshots = SnapshotterAt(imageRoot);
        if (snapshots.Find(SnapshotKey(id)) is not null) snapshots.Remove(SnapshotKey(id));
    }

    /// <summary>
    /// A small file of the image as its merged root shows it, read from the layer directories top first: the first
    /// layer that has the path decides (a whiteout, a 0/0 character device, says it was deleted). Each lookup is
    /// resolved inside its own layer (no symlink leads out of it); a symlink whose target is in another layer is not
    /// followed across layers (null), which /etc/passwd and /etc/group never need; nor is an opaque directory above
    /// the file's layer (a rare shape for /etc).
    /// </summary>
    public string? ReadFile(string path)
    {
        var rel = path.TrimStart('/');
        foreach (var dir in Snapshots.LowerDirs(TopChainId))
        {
            int root = FileDescriptor.TryOpen(dir, OpenFlags.ReadOnly | OpenFlags.Directory);
            if (root < 0) continue;
            try
            {
                // ENOENT: not in this layer, look lower; any other failure (a whiteout is a 0/0 device, ENXIO): absent.
                int r = SecurePath.TryReadText(root, rel, 1 << 20, out var text);
                if (r == -Carton.Linux.Interop.Errno.ENOENT) continue;
                return r == 0 ? text : null;
            }
            finally { FileDescriptor.Close(root); }
        }
        return null;
    }
}
