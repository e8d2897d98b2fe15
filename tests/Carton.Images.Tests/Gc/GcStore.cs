using Carton.Images.Content;
using Carton.Images.Linux;
using Carton.Images.Linux.Snapshots;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Gc;

/// <summary>A fresh image root (prefix gc16-) with its snapshot store at &lt;root&gt;/snapshots, as the compute service
/// keeps it; and what creating a system from an image does to the store (ImageRootfs's steps).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class GcStore : IDisposable
{
    public GcStore()
    {
        Root = Directory.CreateTempSubdirectory("gc16-store-").FullName;
        Store = new ImageStore(Root);
        Snapshots = new Snapshotter(Path.Combine(Root, "snapshots"));
    }

    public string Root { get; }
    public ImageStore Store { get; }
    public Snapshotter Snapshots { get; }

    public static string Reference(RegistryFixture registries, TestImage image) => $"{registries.Plain.Host}/{image.Repository}:{image.Tag}";

    /// <summary>The image's layers unpacked into the snapshotter; its chain IDs, bottom first.</summary>
    public IReadOnlyList<string> Unpack(string reference)
    {
        var image = Store.Inspect(reference);
        return Snapshots.Ensure([.. image.Layers.Select((l, i) => new LayerSource(image.DiffIds[i], () => Store.OpenLayer(l)))]).ChainIds;
    }

    /// <summary>
    /// What Carton.Compute.Linux's ImageRootfs does for a system made from an image: under a shared lease, pull the
    /// image when the store lacks it, unpack its layers, prepare the system's active snapshot; the lease ends once the
    /// snapshot is recorded. <paramref name="lease"/> false leaves the lease out (to show what it prevents).
    /// </summary>
    public async Task<ActiveSnapshot> CreateFromImageAsync(string reference, string key, Registry.RegistryOptions options, bool lease = true)
    {
        using var held = lease ? StoreLease.Shared(Root) : null;
        if (Store.Get(reference) is null) await Store.PullAsync(reference, options);
        var top = Unpack(reference)[^1];
        return Snapshots.Prepare(key, top);
    }

    /// <summary>Every blob the named image reaches is present and hashes to its digest (false when not).</summary>
    public bool IsComplete(string reference, out string why)
    {
        try
        {
            var image = Store.Inspect(reference);
            foreach (var d in image.Layers.Select(l => l.Digest).Append(image.Manifest.Config.Digest).Append(image.ManifestDigest.ToString()))
            {
                var digest = Digest.Parse(d);
                if (!Store.Content.Has(digest)) { why = $"{d} is missing"; return false; }
            }
            var bad = Store.Content.Verify();
            why = bad.Count == 0 ? "" : "corrupt: " + string.Join(", ", bad);
            return bad.Count == 0;
        }
        catch (CartonException e)
        {
            why = e.Message;
            return false;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
