using System.Globalization;
using Carton.Images;
using Carton.Images.Content;

namespace Carton.Docker;

/// <summary>
/// A Docker image: one image id (the digest of its config, resolved for the host's platform) and every name in the
/// store that leads to it. Carton's store holds names; Docker's model holds images with names; this is the bridge.
/// </summary>
internal sealed class DockerImage(StoredImage image, IReadOnlyList<ImageRecord> records)
{
    /// <summary>The image as resolved for this host (manifest and config).</summary>
    public StoredImage Image { get; } = image;

    /// <summary>The store's names that lead to it, in the order they were named.</summary>
    public IReadOnlyList<ImageRecord> Records { get; } = records;

    /// <summary>"sha256:" + hex: the config's digest, Docker's image id.</summary>
    public string Id => Image.ConfigDigest.ToString();

    /// <summary>The 12 hex digits Docker shows.</summary>
    public string ShortId => Image.ConfigDigest.Encoded[..12];

    /// <summary>The tagged names, familiar ("busybox:latest", "127.0.0.1:5000/busybox:1").</summary>
    public List<string> RepoTags =>
        [.. Records.Select(r => ImageReference.Parse(r.Name)).Where(r => r.Tag is not null).Select(r => FamiliarName(r) + ":" + r.Tag).Distinct()];

    /// <summary>"name@digest" for each name's top-level digest (an index's for a multi-platform image, as Docker).</summary>
    public List<string> RepoDigests =>
        [.. Records.Select(r => FamiliarName(ImageReference.Parse(r.Name)) + "@" + r.Target.Digest).Distinct()];

    /// <summary>The config's creation time, or null when it has none (or an unreadable one).</summary>
    public DateTimeOffset? Created =>
        DateTimeOffset.TryParse(Image.Config.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>What the image takes in the store: its config and layers as stored (compressed), not unpacked.</summary>
    public long Size => Image.Manifest.Config.Size + Image.Layers.Sum(l => l.Size);

    /// <summary>The config's labels.</summary>
    public Dictionary<string, string>? Labels => Image.Config.Config?.Labels;

    /// <summary>Docker's familiar repository name: "busybox" for docker.io/library/busybox, the full name elsewhere.</summary>
    public static string FamiliarName(ImageReference r)
    {
        if (r.Registry != ImageReference.DockerHub) return r.Name;
        return r.Repository.StartsWith("library/", StringComparison.Ordinal) && r.Repository.IndexOf('/', 8) < 0 ? r.Repository[8..] : r.Repository;
    }
}
