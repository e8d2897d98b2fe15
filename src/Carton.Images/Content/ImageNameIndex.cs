using System.Text.Json;
using Carton.Images.Model;

namespace Carton.Images.Content;

/// <summary>
/// The names of the images in the store: <c>&lt;root&gt;/index.json</c>, an OCI image layout index (image-spec
/// image-layout.md, "index.json") whose entries carry the name in <c>org.opencontainers.image.ref.name</c>, beside an
/// <c>oci-layout</c> file, so the store root is itself a valid OCI image layout that other tools (skopeo's
/// <c>oci:</c>) can read. Every change is read-modify-write under a lock and written atomically (temp, fsync, rename).
/// </summary>
public sealed class ImageNameIndex
{
    /// <summary>image-spec annotations.md: the reference name of an image in a layout's index.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private readonly ContentStore _content;

    public ImageNameIndex(ContentStore content) => _content = content;

    /// <summary>The index file.</summary>
    public string IndexPath => Path.Combine(_content.Root, "index.json");

    private string LockPath => Path.Combine(_content.LocksDirectory, "index.lock");

    /// <summary>Every named image, in the order they were named.</summary>
    public IReadOnlyList<ImageRecord> List() =>
        [.. Read().Manifests
            .Where(d => d.Annotations?.ContainsKey(RefNameAnnotation) == true)
            .Select(d => new ImageRecord(d.Annotations![RefNameAnnotation], Strip(d)))];

    /// <summary>The image named <paramref name="name"/> (normalised: "busybox" finds docker.io/library/busybox:latest), or null.</summary>
    public ImageRecord? Get(string name)
    {
        var key = Normalise(name);
        return List().FirstOrDefault(r => r.Name == key);
    }

    /// <summary>Names <paramref name="target"/> <paramref name="name"/>, replacing what that name pointed at.</summary>
    public async Task PutAsync(string name, Descriptor target, CancellationToken cancellationToken = default)
    {
        var key = Normalise(name);
        using var storeLock = await StoreLock.AcquireAsync(LockPath, cancellationToken).ConfigureAwait(false);
        var index = Read();
        index.Manifests.RemoveAll(d => d.Annotations?.GetValueOrDefault(RefNameAnnotation) == key);
        var entry = new Descriptor
        {
            MediaType = target.MediaType,
            Digest = target.Digest,
            Size = target.Size,
            Platform = target.Platform,
            ArtifactType = target.ArtifactType,
            Annotations = new Dictionary<string, string>(target.Annotations ?? [], StringComparer.Ordinal) { [RefNameAnnotation] = key },
        };
        index.Manifests.Add(entry);
        Write(index);
    }

    /// <summary>Removes the name (not the blobs); false when no image had it.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = Normalise(name);
        using var storeLock = await StoreLock.AcquireAsync(LockPath, cancellationToken).ConfigureAwait(false);
        var index = Read();
        if (index.Manifests.RemoveAll(d => d.Annotations?.GetValueOrDefault(RefNameAnnotation) == key) == 0) return false;
        Write(index);
        return true;
    }

    /// <summary>The canonical form of a name: a reference is normalised; anything else is refused.</summary>
    public static string Normalise(string name) => ImageReference.Parse(name).ToString();

    private ImageIndex Read()
    {
        if (!File.Exists(IndexPath)) return NewIndex();
        try
        {
            var index = JsonSerializer.Deserialize(File.ReadAllBytes(IndexPath), ImagesJsonContext.Default.ImageIndex);
            return index ?? NewIndex();
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"image index {IndexPath}: not valid JSON: {e.Message}", e, jsonPath: e.Path ?? "$");
        }
    }

    private void Write(ImageIndex index)
    {
        // image-layout.md: the layout's marker file; written once, before the first index.
        var layoutFile = Path.Combine(_content.Root, "oci-layout");
        if (!File.Exists(layoutFile)) AtomicFile.Write(layoutFile, """{"imageLayoutVersion":"1.0.0"}"""u8);
        AtomicFile.Write(IndexPath, JsonSerializer.SerializeToUtf8Bytes(index, ImagesJsonContext.Default.ImageIndex));
    }

    private static ImageIndex NewIndex() => new() { SchemaVersion = 2, MediaType = MediaTypes.OciIndex };

    private static Descriptor Strip(Descriptor d)
    {
        var annotations = d.Annotations?.Where(a => a.Key != RefNameAnnotation).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return new Descriptor
        {
            MediaType = d.MediaType,
            Digest = d.Digest,
            Size = d.Size,
            Platform = d.Platform,
            ArtifactType = d.ArtifactType,
            Annotations = annotations is { Count: > 0 } ? annotations : null,
        };
    }
}
