using System.Formats.Tar;
using System.Text.Json;
using Carton.Images.Content;
using Carton.Images.Model;

namespace Carton.Images.Formats;

/// <summary>
/// Writes images of the store as one tar stream, blob by blob from the store's files (never a whole blob in memory):
/// <list type="bullet">
/// <item>always an OCI image layout (image-spec image-layout.md): <c>oci-layout</c>, <c>index.json</c> with one entry per
/// name carrying <c>org.opencontainers.image.ref.name</c> (annotations.md) and containerd's
/// <c>io.containerd.image.name</c> (both the full reference, which is what Carton's importer, skopeo and podman read
/// back as the name), and <c>blobs/ALG/HEX</c>;</item>
/// <item>for <see cref="ExportFormat.Docker"/> also <c>manifest.json</c>, docker's list of {Config, RepoTags, Layers}
/// pointing at the same blob files, and the legacy <c>repositories</c>, as Docker 25's `docker save` writes. Older dockers (20.10) read manifest.json
/// only, and decompress the layers themselves; the image ID is the config's digest either way.</item>
/// </list>
/// An index whose manifests are all in the store is exported whole; one pulled for a single platform (the others
/// absent) is exported as the manifest of <paramref name="platform"/> (default the host's), so the archive never
/// points at a blob it does not hold. Entries are dated at the Unix epoch, so one image gives the same bytes twice.
/// </summary>
public static class ImageExporter
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>Writes <paramref name="references"/> (names in the store) to <paramref name="output"/>.</summary>
    public static async Task ExportAsync(ImageStore store, IReadOnlyList<string> references, Stream output, ExportFormat format,
        Platform? platform = null, CancellationToken cancellationToken = default)
    {
        if (references.Count == 0) throw new CartonException(ErrorKind.InvalidDocument, "export: no image named", jsonPath: "reference");
        // Everything is resolved before the first byte is written: a missing image or blob fails with nothing sent.
        var entries = new List<Descriptor>();
        var dockerImages = new List<(StoredImage Image, List<string> Tags)>();
        var blobs = new List<Digest>();
        var seen = new HashSet<Digest>();
        void Add(Digest d)
        {
            if (!store.Content.Has(d)) throw new CartonException(ErrorKind.NotFound, $"export: blob {d} is not in the store {store.Root}");
            if (seen.Add(d)) blobs.Add(d);
        }
        foreach (var reference in references)
        {
            var record = store.Get(reference) ?? throw new CartonException(ErrorKind.NotFound, $"export: no image \"{reference}\" in {store.Root}");
            var image = store.Resolve(record.Name, record.Target, platform);
            var top = ExportedTarget(store, record, image, out var documents);
            foreach (var d in documents) Add(d);
            foreach (var layer in image.Layers.Prepend(image.Manifest.Config)) Add(Digest.Parse(layer.Digest, "layers[].digest"));
            entries.Add(Named(top, record.Name));
            var tag = TagOf(record.Name);
            var same = dockerImages.FindIndex(i => i.Image.ManifestDigest == image.ManifestDigest);
            if (same >= 0)
            {
                if (tag is not null && !dockerImages[same].Tags.Contains(tag)) dockerImages[same].Tags.Add(tag);
            }
            else dockerImages.Add((image, tag is null ? [] : [tag]));
        }

        await using var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        await WriteDirectoryAsync(tar, "blobs/", cancellationToken).ConfigureAwait(false);
        foreach (var algorithm in blobs.Select(b => b.Algorithm).Distinct(StringComparer.Ordinal))
            await WriteDirectoryAsync(tar, $"blobs/{algorithm}/", cancellationToken).ConfigureAwait(false);
        foreach (var digest in blobs)
        {
            await using var blob = store.Content.Open(digest);
            var entry = new UstarTarEntry(TarEntryType.RegularFile, BlobName(digest)) { DataStream = blob };
            await WriteAsync(tar, entry, cancellationToken).ConfigureAwait(false);
        }
        await WriteFileAsync(tar, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile { ImageLayoutVersion = "1.0.0" }, FormatsJsonContext.Default.OciLayoutFile), cancellationToken).ConfigureAwait(false);
        var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = entries };
        await WriteFileAsync(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, ImagesJsonContext.Default.ImageIndex), cancellationToken).ConfigureAwait(false);
        if (format == ExportFormat.Docker)
        {
            var manifest = dockerImages.Select(i => new DockerArchiveManifest
            {
                Config = BlobName(i.Image.ConfigDigest),
                RepoTags = i.Tags,
                Layers = [.. i.Image.Layers.Select(l => BlobName(Digest.Parse(l.Digest, "layers[].digest")))],
            }).ToList();
            await WriteFileAsync(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, FormatsJsonContext.Default.ListDockerArchiveManifest), cancellationToken).ConfigureAwait(false);
            // docker save's legacy "repositories" (familiar name → tag → the top layer as manifest.json names it), which
            // only loaders of archives without manifest.json read; written when some image has a tag, as docker does.
            var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var (image, tags) in dockerImages)
            {
                if (image.Layers.Count == 0) continue;
                var top = Digest.Parse(image.Layers[^1].Digest, "layers[].digest").Encoded;
                foreach (var tag in tags)
                {
                    int colon = tag.LastIndexOf(':');
                    var repository = tag[..colon];
                    if (!repositories.TryGetValue(repository, out var byTag)) repositories[repository] = byTag = new(StringComparer.Ordinal);
                    byTag[tag[(colon + 1)..]] = top;
                }
            }
            if (repositories.Count > 0)
                await WriteFileAsync(tar, "repositories", JsonSerializer.SerializeToUtf8Bytes(repositories, FormatsJsonContext.Default.DictionaryStringDictionaryStringString), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What index.json names for <paramref name="record"/>: its own target when every document under it is in the
    /// store, else the resolved platform's manifest. <paramref name="documents"/> gets the index and manifests to write.
    /// </summary>
    private static Descriptor ExportedTarget(ImageStore store, ImageRecord record, StoredImage image, out List<Digest> documents)
    {
        documents = [];
        if (!MediaTypes.IsIndex(record.Target.MediaType))
        {
            documents.Add(record.Digest);
            return record.Target;
        }
        var index = ManifestDocuments.ParseIndex(store.Content.ReadAllBytes(record.Digest), $"image {record.Name}: index {record.Digest}");
        var children = new List<Digest>();
        bool complete = true;
        foreach (var child in index.Manifests)
        {
            if (!Digest.TryParse(child.Digest, out var d) || !store.Content.Has(d) || !MediaTypes.IsManifest(child.MediaType))
            {
                complete = false;
                break;
            }
            var manifest = ManifestDocuments.ParseManifest(store.Content.ReadAllBytes(d), $"image {record.Name}: manifest {d}");
            if (!manifest.Layers.Prepend(manifest.Config).All(b => Digest.TryParse(b.Digest, out var bd) && store.Content.Has(bd)))
            {
                complete = false;
                break;
            }
            children.Add(d);
        }
        if (complete)
        {
            documents.Add(record.Digest);
            foreach (var child in children)
            {
                documents.Add(child);
                var manifest = ManifestDocuments.ParseManifest(store.Content.ReadAllBytes(child), $"image {record.Name}: manifest {child}");
                documents.AddRange(manifest.Layers.Prepend(manifest.Config).Select(b => Digest.Parse(b.Digest, "digest")));
            }
            return record.Target;
        }
        documents.Add(image.ManifestDigest);
        return image.ManifestDescriptor;
    }

    private static Descriptor Named(Descriptor target, string name) => new()
    {
        MediaType = target.MediaType,
        Digest = target.Digest,
        Size = target.Size,
        Platform = target.Platform,
        ArtifactType = target.ArtifactType,
        Annotations = new Dictionary<string, string>(target.Annotations ?? [], StringComparer.Ordinal)
        {
            [ImageNameIndex.RefNameAnnotation] = name,
            [ImageImporter.ContainerdNameAnnotation] = name,
        },
    };

    /// <summary>docker's RepoTags entry: name:tag in docker's familiar form; a name by digest only has none.</summary>
    private static string? TagOf(string name)
    {
        var reference = ImageReference.Parse(name);
        return reference.Tag is null ? null : reference.WithTag(reference.Tag).ToFamiliarString();
    }

    private static string BlobName(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Encoded}";

    private static Task WriteDirectoryAsync(TarWriter tar, string name, CancellationToken ct) =>
        WriteAsync(tar, new UstarTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101 }, ct);

    private static async Task WriteFileAsync(TarWriter tar, string name, byte[] content, CancellationToken ct)
    {
        using var data = new MemoryStream(content, writable: false);
        await WriteAsync(tar, new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = data }, ct).ConfigureAwait(false);
    }

    private static Task WriteAsync(TarWriter tar, UstarTarEntry entry, CancellationToken ct)
    {
        entry.ModificationTime = Epoch;
        if (entry.EntryType == TarEntryType.RegularFile) entry.Mode = (UnixFileMode)0b110_100_100;
        return tar.WriteEntryAsync(entry, ct);
    }
}
