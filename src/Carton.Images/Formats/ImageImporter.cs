using System.Text.Json;
using Carton.Images.Content;
using Carton.Images.Model;

namespace Carton.Images.Formats;

/// <summary>
/// Imports images from the two archive formats engines exchange:
/// <list type="bullet">
/// <item>an OCI image layout (image-spec image-layout.md), as a directory or a tar of one: <c>oci-layout</c>,
/// <c>index.json</c>, <c>blobs/ALG/HEX</c>. Every blob is verified against its digest; blobs are stored as they are
/// (gzip, zstd or plain), so manifest digests do not change.</item>
/// <item>a docker-archive (<c>docker save</c>): <c>manifest.json</c> naming each image's config, tags and layer tars.
/// Docker 25+ writes an OCI layout in the same tar, which is then read instead (it keeps the original manifests).
/// For the older format Carton writes an OCI manifest: each layer tar stored as it is, with the media type its bytes
/// show (an uncompressed one is <c>application/vnd.oci.image.layer.v1.tar</c>, whose digest is its DiffID and is
/// checked against the config's rootfs.diff_ids).</item>
/// </list>
/// Names come from <see cref="ImportOptions.Name"/>, else containerd's <c>io.containerd.image.name</c> annotation, else
/// <c>org.opencontainers.image.ref.name</c> (read as a reference and normalised as Docker does), else a docker-archive's
/// RepoTags. Blobs go into the store first, names last.
/// </summary>
public static class ImageImporter
{
    /// <summary>containerd's (and Docker 25's) annotation with an image's full name in an OCI layout's index.</summary>
    public const string ContainerdNameAnnotation = "io.containerd.image.name";

    public static async Task<IReadOnlyList<ImportedImage>> ImportAsync(ImageStore store, string path, ImportOptions options, CancellationToken ct)
    {
        if (Directory.Exists(path))
            return await ImportSourceAsync(store, new DirectorySource(path, store.Content), options, ct).ConfigureAwait(false);
        if (!File.Exists(path))
            throw new CartonException(ErrorKind.NotFound, $"import {path}: no such file or directory");
        await using var file = File.OpenRead(path);
        return await ImportTarAsync(store, file, options, ct, $"archive {path}").ConfigureAwait(false);
    }

    public static Task<IReadOnlyList<ImportedImage>> ImportTarAsync(ImageStore store, Stream tar, ImportOptions options, CancellationToken ct) =>
        ImportTarAsync(store, tar, options, ct, "archive (stream)");

    private static async Task<IReadOnlyList<ImportedImage>> ImportTarAsync(ImageStore store, Stream tar, ImportOptions options, CancellationToken ct, string description)
    {
        TarSource source;
        try
        {
            source = await TarSource.ReadAsync(tar, description, store.Content, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ZstdSharp.ZstdException)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{description}: not a readable tar: {e.Message}", e);
        }
        return await ImportSourceAsync(store, source, options, ct).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<ImportedImage>> ImportSourceAsync(ImageStore store, ArchiveSource source, ImportOptions options, CancellationToken ct)
    {
        List<(List<string> Names, Descriptor Target)> images;
        if (source.Exists("oci-layout") && source.Exists("index.json"))
            images = await ImportOciLayoutAsync(store, source, ct).ConfigureAwait(false);
        else if (source.Exists("manifest.json"))
            images = await ImportDockerArchiveAsync(store, source, ct).ConfigureAwait(false);
        else
            throw new CartonException(ErrorKind.InvalidDocument,
                $"{source.Description}: neither an OCI image layout (oci-layout and index.json) nor a docker-archive (manifest.json)");

        if (images.Count == 0)
            throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: holds no image");
        if (options.Name is { } name)
        {
            if (images.Count != 1)
                throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: holds {images.Count} images; a name can be given to an archive of one image only");
            images[0].Names.Clear();
            images[0].Names.Add(ImageNameIndex.Normalise(name));
        }
        var result = new List<ImportedImage>();
        foreach (var (names, target) in images)
        {
            foreach (var n in names.Distinct(StringComparer.Ordinal))
                await store.Names.PutAsync(n, target, ct).ConfigureAwait(false);
            result.Add(new ImportedImage([.. names.Distinct(StringComparer.Ordinal)], target));
        }
        return result;
    }

    private static async Task<List<(List<string>, Descriptor)>> ImportOciLayoutAsync(ImageStore store, ArchiveSource source, CancellationToken ct)
    {
        var layoutBytes = source.ReadDocument("oci-layout")!;
        OciLayoutFile? layout;
        try
        {
            layout = JsonSerializer.Deserialize(layoutBytes, FormatsJsonContext.Default.OciLayoutFile);
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: oci-layout: malformed JSON: {e.Message}", e, jsonPath: "$");
        }
        // image-layout.md: imageLayoutVersion is "1.0.0"; a later 1.x stays readable.
        if (layout?.ImageLayoutVersion is not { } version || !version.StartsWith("1.", StringComparison.Ordinal))
            throw new CartonException(ErrorKind.Unsupported, $"{source.Description}: oci-layout: imageLayoutVersion \"{layout?.ImageLayoutVersion}\" is not supported (1.x is)", jsonPath: "imageLayoutVersion");

        var indexBytes = source.ReadDocument("index.json")!;
        ManifestDocuments.Classify(indexBytes, MediaTypes.OciIndex, $"{source.Description}: index.json");
        var index = ManifestDocuments.ParseIndex(indexBytes, $"{source.Description}: index.json");

        // Docker 25+ archives carry manifest.json too: its RepoTags name images the index left unnamed.
        var tagsByConfig = DockerTagsByConfig(source);
        var images = new List<(List<string>, Descriptor)>();
        foreach (var entry in index.Manifests)
        {
            var configDigests = new List<Digest>();
            await ImportGraphAsync(store, source, entry, configDigests, depth: 0, ct).ConfigureAwait(false);
            var names = new List<string>();
            if (entry.Annotations?.GetValueOrDefault(ContainerdNameAnnotation) is { Length: > 0 } full)
                names.Add(NameFrom(full, source, ContainerdNameAnnotation));
            else if (entry.Annotations?.GetValueOrDefault(ImageNameIndex.RefNameAnnotation) is { Length: > 0 } refName)
                names.Add(NameFrom(refName, source, ImageNameIndex.RefNameAnnotation));
            else
                foreach (var config in configDigests)
                    if (tagsByConfig.TryGetValue(config, out var tags)) names.AddRange(tags);
            images.Add((names, Plain(entry)));
        }
        return images;
    }

    /// <summary>Stores <paramref name="descriptor"/> and everything it reaches, verifying each blob.</summary>
    private static async Task ImportGraphAsync(ImageStore store, ArchiveSource source, Descriptor descriptor, List<Digest> configs, int depth, CancellationToken ct)
    {
        if (depth > 4) throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: indexes nested deeper than 4");
        var digest = Digest.Parse(descriptor.Digest, "digest");
        await source.IngestAsync($"blobs/{digest.Algorithm}/{digest.Encoded}", digest, descriptor.Size, ct).ConfigureAwait(false);
        var context = $"{source.Description}: {digest}";
        var bytes = store.Content.ReadAllBytes(digest);
        var mediaType = ManifestDocuments.Classify(bytes, descriptor.MediaType, context);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = ManifestDocuments.ParseIndex(bytes, context);
            int imported = 0;
            foreach (var child in index.Manifests)
            {
                var childDigest = Digest.Parse(child.Digest, "manifests[].digest");
                // A layout copied for one platform keeps the whole index but only that platform's manifest.
                if (!source.Exists($"blobs/{childDigest.Algorithm}/{childDigest.Encoded}") && !store.Content.Has(childDigest)) continue;
                await ImportGraphAsync(store, source, child, configs, depth + 1, ct).ConfigureAwait(false);
                imported++;
            }
            if (imported == 0)
                throw new CartonException(ErrorKind.InvalidDocument, $"{context}: the index's manifests are all missing from the archive");
            return;
        }
        var manifest = ManifestDocuments.ParseManifest(bytes, context);
        var configDigest = Digest.Parse(manifest.Config.Digest, "config.digest");
        await source.IngestAsync($"blobs/{configDigest.Algorithm}/{configDigest.Encoded}", configDigest, manifest.Config.Size, ct).ConfigureAwait(false);
        configs.Add(configDigest);
        foreach (var layer in manifest.Layers)
        {
            var layerDigest = Digest.Parse(layer.Digest, "layers[].digest");
            await source.IngestAsync($"blobs/{layerDigest.Algorithm}/{layerDigest.Encoded}", layerDigest, layer.Size, ct).ConfigureAwait(false);
        }
    }

    private static async Task<List<(List<string>, Descriptor)>> ImportDockerArchiveAsync(ImageStore store, ArchiveSource source, CancellationToken ct)
    {
        var entries = ReadDockerManifest(source);
        var images = new List<(List<string>, Descriptor)>();
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var context = $"{source.Description}: manifest.json[{i}]";
            // The config: a document ("<id>.json"), or a blob in Docker 25's layout.
            Digest configDigest;
            long configSize;
            byte[] configBytes;
            if (source.ReadDocument(entry.Config) is { } doc)
            {
                configBytes = doc;
                configDigest = await store.Content.IngestBytesAsync(doc, null, ct).ConfigureAwait(false);
                configSize = doc.Length;
            }
            else
            {
                (configDigest, configSize) = await source.IngestAsync(entry.Config, null, null, ct).ConfigureAwait(false);
                configBytes = store.Content.ReadAllBytes(configDigest);
            }
            var config = ManifestDocuments.ParseConfig(configBytes, $"{context}: config {entry.Config}");
            if (config.RootFs.DiffIds.Count != entry.Layers.Count)
                throw new CartonException(ErrorKind.InvalidDocument,
                    $"{context}: config {entry.Config} lists {config.RootFs.DiffIds.Count} diff_ids for {entry.Layers.Count} layers", jsonPath: "rootfs.diff_ids");

            var layers = new List<Descriptor>();
            for (int l = 0; l < entry.Layers.Count; l++)
            {
                var (digest, size) = await source.IngestAsync(entry.Layers[l], null, null, ct).ConfigureAwait(false);
                var compression = SniffStored(store.Content, digest);
                if (compression == LayerCompression.None && config.RootFs.DiffIds[l] != digest.ToString())
                    throw new CartonException(ErrorKind.InvalidDocument,
                        $"{context}: layer {entry.Layers[l]} has digest {digest}, but the config's rootfs.diff_ids[{l}] is {config.RootFs.DiffIds[l]}",
                        jsonPath: $"rootfs.diff_ids[{l}]");
                layers.Add(new Descriptor { MediaType = LayerStream.OciMediaType(compression), Digest = digest.ToString(), Size = size });
            }
            var manifest = new Manifest
            {
                SchemaVersion = 2,
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = configSize },
                Layers = layers,
            };
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImagesJsonContext.Default.Manifest);
            var manifestDigest = await store.Content.IngestBytesAsync(manifestBytes, null, ct).ConfigureAwait(false);
            var names = (entry.RepoTags ?? []).Select(t => NameFrom(t, source, "RepoTags")).ToList();
            images.Add((names, new Descriptor { MediaType = MediaTypes.OciManifest, Digest = manifestDigest.ToString(), Size = manifestBytes.Length }));
        }
        return images;
    }

    private static List<DockerArchiveManifest> ReadDockerManifest(ArchiveSource source)
    {
        var bytes = source.ReadDocument("manifest.json")
            ?? throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: manifest.json is missing");
        try
        {
            return JsonSerializer.Deserialize(bytes, FormatsJsonContext.Default.ListDockerArchiveManifest)
                ?? throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: manifest.json is null", jsonPath: "$");
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: manifest.json: malformed JSON: {e.Message}", e, jsonPath: e.Path ?? "$");
        }
    }

    private static Dictionary<Digest, List<string>> DockerTagsByConfig(ArchiveSource source)
    {
        var map = new Dictionary<Digest, List<string>>();
        if (!source.Exists("manifest.json")) return map;
        foreach (var entry in ReadDockerManifest(source))
            if (ArchiveSource.IsBlobPath(ArchiveSource.Normalise(entry.Config), out var d) && entry.RepoTags is { Count: > 0 } tags)
                map[d] = [.. tags.Select(t => NameFrom(t, source, "RepoTags"))];
        return map;
    }

    private static string NameFrom(string text, ArchiveSource source, string field)
    {
        try
        {
            return ImageReference.Parse(text).ToString();
        }
        catch (CartonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{source.Description}: {field}: {e.Message}", e, jsonPath: field);
        }
    }

    private static LayerCompression SniffStored(ContentStore content, Digest digest)
    {
        using var blob = content.Open(digest);
        Span<byte> head = stackalloc byte[4];
        int got = blob.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return LayerStream.Detect(head[..got]);
    }

    private static Descriptor Plain(Descriptor d) => new()
    {
        MediaType = d.MediaType,
        Digest = d.Digest,
        Size = d.Size,
        Platform = d.Platform,
        ArtifactType = d.ArtifactType,
    };
}
