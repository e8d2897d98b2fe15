using Carton.Images.Content;
using Carton.Images.Linux.Snapshots;

namespace Carton.Images.Linux.Maintenance;

/// <summary>The snapshot store under an image root (&lt;root&gt;/snapshots, where the compute service and
/// <c>carton image</c> keep it), or null when there is none yet (opening one would create it).</summary>
internal static class StoreSnapshots
{
    public static Snapshotter? Open(string imageRoot)
    {
        var dir = Path.Combine(imageRoot, "snapshots");
        return Directory.Exists(dir) ? new Snapshotter(dir) : null;
    }

    /// <summary>NotFound when the root does not exist: a mistyped --image-root is an error, and taking the lease there
    /// would create the directory.</summary>
    public static void RequireStore(ImageStore store)
    {
        if (!Directory.Exists(store.Root))
            throw new CartonException(ErrorKind.NotFound, $"image store {store.Root}: no such directory");
    }
}
