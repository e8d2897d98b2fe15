using Carton.Images.Model;

namespace Carton.Images.Registry;

/// <summary>A manifest or index as the registry sent it: its exact bytes (what the digest covers), type and digest.</summary>
public sealed record FetchedManifest(string MediaType, byte[] Content, Digest Digest)
{
    /// <summary>A descriptor of these bytes.</summary>
    public Descriptor ToDescriptor(Platform? platform = null) => new()
    {
        MediaType = MediaType,
        Digest = Digest.ToString(),
        Size = Content.Length,
        Platform = platform,
    };
}

/// <summary>An image reference resolved to one manifest: the index (if the reference named one) and the platform's manifest.</summary>
/// <param name="Reference">what was asked for.</param>
/// <param name="Index">the index or manifest list the reference named, or null when it named a manifest.</param>
/// <param name="Manifest">the image manifest (the platform's, when <paramref name="Index"/> is set).</param>
/// <param name="ManifestDescriptor">its descriptor (from the index, with the platform, when there is one).</param>
/// <param name="Parsed">the manifest, parsed and checked.</param>
public sealed record ResolvedImage(ImageReference Reference, FetchedManifest? Index, FetchedManifest Manifest,
    Descriptor ManifestDescriptor, Manifest Parsed)
{
    /// <summary>What the reference names: the index when there is one, else the manifest.</summary>
    public FetchedManifest Top => Index ?? Manifest;
}
