using Carton.Images.Model;

namespace Carton.Images.Content;

/// <summary>An image in the store, resolved to one platform: what the CLI inspects and the unpacker reads.</summary>
/// <param name="Name">its name in the index (canonical reference).</param>
/// <param name="Target">what the name points at: an index, or the manifest itself.</param>
/// <param name="ManifestDescriptor">the platform's manifest (equal to <paramref name="Target"/> for a single-platform image).</param>
/// <param name="Manifest">the manifest: config and layers, bottom first.</param>
/// <param name="Config">the image config (entrypoint, env, diff_ids…).</param>
public sealed record StoredImage(string Name, Descriptor Target, Descriptor ManifestDescriptor, Manifest Manifest, ImageConfigFile Config)
{
    /// <summary>The manifest's digest (docker's "Id" is the config's; the RepoDigest is <see cref="Target"/>'s).</summary>
    public Digest ManifestDigest => Digest.Parse(ManifestDescriptor.Digest, "digest");

    /// <summary>The config's digest (Docker's image id).</summary>
    public Digest ConfigDigest => Digest.Parse(Manifest.Config.Digest, "config.digest");

    /// <summary>The layers' descriptors, bottom first.</summary>
    public IReadOnlyList<Descriptor> Layers => Manifest.Layers;

    /// <summary>The uncompressed digests of the layers, bottom first (config rootfs.diff_ids).</summary>
    public IReadOnlyList<string> DiffIds => Config.RootFs.DiffIds;
}
