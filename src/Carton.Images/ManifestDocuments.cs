using System.Text.Json;
using Carton.Images.Formats;
using Carton.Images.Model;

namespace Carton.Images;

/// <summary>
/// Reading manifests and indexes wherever they come from (a registry, an image layout, the store): what kind of
/// document the bytes are, refusing Docker schema 1 and unknown media types by name, and the checks a manifest must
/// pass before its blobs are fetched. <paramref name="context"/> arguments name the image and digest in messages.
/// </summary>
public static class ManifestDocuments
{
    /// <summary>
    /// The media type of a manifest or index: the body's <c>mediaType</c> (image-spec manifest.md: it SHOULD be set
    /// and MUST match the descriptor), else the <paramref name="contentType"/> the registry sent, else the shape
    /// (<c>manifests</c> for an index, <c>config</c> for a manifest). Schema 1 is refused saying so; any other type
    /// that is neither an index nor a manifest is refused naming it.
    /// </summary>
    public static string Classify(ReadOnlySpan<byte> body, string? contentType, string context)
    {
        // JsonDocument does not check the UTF-8 of strings; GetString would throw InvalidOperationException (found by fuzzing)
        if (!System.Text.Unicode.Utf8.IsValid(body))
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: malformed JSON: not valid UTF-8", jsonPath: "$", reason: "not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: malformed JSON: {e.Message}", e, jsonPath: "$", reason: "malformed JSON");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CartonException(ErrorKind.InvalidDocument, $"{context}: malformed manifest: the document is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object", jsonPath: "$");
            int? schemaVersion = root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.TryGetInt32(out var v) ? v : null;
            string? bodyType = root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
            if (schemaVersion == 1 || contentType is MediaTypes.DockerManifestSchema1 or MediaTypes.DockerManifestSchema1Signed
                || bodyType is MediaTypes.DockerManifestSchema1 or MediaTypes.DockerManifestSchema1Signed)
                throw new CartonException(ErrorKind.Unsupported,
                    $"{context}: Docker image manifest schema 1 is not supported (deprecated by Docker and removed from its registries); push the image again with a current client, which writes schema 2 or OCI",
                    jsonPath: "schemaVersion", reason: "schema 1 is not supported");
            var type = bodyType;
            if (type is null && contentType is not null && (MediaTypes.IsIndex(contentType) || MediaTypes.IsManifest(contentType))) type = contentType;
            if (type is null && root.TryGetProperty("manifests", out _)) type = MediaTypes.OciIndex;
            if (type is null && root.TryGetProperty("config", out _)) type = MediaTypes.OciManifest;
            if (type is null)
                throw new CartonException(ErrorKind.Unsupported,
                    $"{context}: unsupported manifest media type \"{contentType ?? "(none)"}\": expected an OCI index or manifest, or a Docker schema 2 manifest list or manifest",
                    jsonPath: "mediaType");
            if (!MediaTypes.IsIndex(type) && !MediaTypes.IsManifest(type))
                throw new CartonException(ErrorKind.Unsupported,
                    $"{context}: unsupported manifest media type \"{type}\": expected an OCI index or manifest, or a Docker schema 2 manifest list or manifest",
                    jsonPath: "mediaType", reason: $"unsupported media type {type}");
            if (schemaVersion != 2)
                throw new CartonException(ErrorKind.InvalidDocument, $"{context}: schemaVersion is {schemaVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}, expected 2", jsonPath: "schemaVersion");
            return type;
        }
    }

    /// <summary>Parses an index, checking each entry's digest.</summary>
    public static ImageIndex ParseIndex(byte[] body, string context)
    {
        var index = Deserialize(body, ImagesJsonContext.Default.ImageIndex, context);
        // "manifests": null binds to null (found by fuzzing, issue 15 §2); image-spec index.md: REQUIRED
        if (index.Manifests is null)
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: manifests is required", jsonPath: "manifests", reason: "is required");
        for (int i = 0; i < index.Manifests.Count; i++)
            CheckDescriptor(index.Manifests[i], $"manifests[{i}]", context);
        return index;
    }

    /// <summary>
    /// Parses an image manifest and checks that it is a container image Carton can run: a config of the OCI or Docker
    /// image config type, every layer of a known layer media type (tar, gzip, zstd), every digest valid.
    /// </summary>
    public static Manifest ParseManifest(byte[] body, string context)
    {
        var manifest = Deserialize(body, ImagesJsonContext.Default.Manifest, context);
        // "layers": null binds to null (found by fuzzing, issue 15 §2); image-spec manifest.md: REQUIRED
        if (manifest.Layers is null)
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: layers is required", jsonPath: "layers", reason: "is required");
        CheckDescriptor(manifest.Config, "config", context);
        if (manifest.Config.MediaType is not (MediaTypes.OciConfig or MediaTypes.DockerConfig))
            throw new CartonException(ErrorKind.Unsupported,
                $"{context}: unsupported config media type \"{manifest.Config.MediaType}\": not a container image (an artifact?)",
                jsonPath: "config.mediaType", reason: $"unsupported media type {manifest.Config.MediaType}");
        for (int i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            CheckDescriptor(layer, $"layers[{i}]", context);
            if (!LayerStream.IsLayerMediaType(layer.MediaType))
                throw new CartonException(ErrorKind.Unsupported,
                    $"{context}: layer {layer.Digest} has unsupported media type \"{layer.MediaType}\"",
                    jsonPath: $"layers[{i}].mediaType", reason: $"unsupported media type {layer.MediaType}");
        }
        return manifest;
    }

    /// <summary>Parses an image config.</summary>
    public static ImageConfigFile ParseConfig(byte[] body, string context) =>
        Deserialize(body, ImagesJsonContext.Default.ImageConfigFile, context);

    private static T Deserialize<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string context)
    {
        try
        {
            // bytes that are not UTF-8, a null array entry ("layers": [null]): found by fuzzing
            if (Carton.Oci.JsonBodyScreen.Find(body) is { } problem)
                throw problem.Path == "$"
                    ? new CartonException(ErrorKind.InvalidDocument, $"{context}: malformed JSON: {problem.Reason}", jsonPath: "$", reason: problem.Reason)
                    : new CartonException(ErrorKind.InvalidDocument, $"{context}: {problem.Path[2..]} {problem.Reason}", jsonPath: problem.Path[2..], reason: problem.Reason);
            return JsonSerializer.Deserialize(body, type)
                ?? throw new CartonException(ErrorKind.InvalidDocument, $"{context}: the document is null", jsonPath: "$");
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: malformed JSON at {e.Path ?? "$"}: {e.Message}", e, jsonPath: e.Path ?? "$", reason: "malformed JSON");
        }
    }

    private static void CheckDescriptor(Descriptor? d, string path, string context)
    {
        if (d is null) // "config": null binds to null (found by fuzzing)
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: {path} is required", jsonPath: path, reason: "is required");
        if (!Digest.TryParse(d.Digest, out _))
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: {path}.digest \"{d.Digest}\" is not a valid digest", jsonPath: $"{path}.digest");
        if (d.Size < 0)
            throw new CartonException(ErrorKind.InvalidDocument, $"{context}: {path}.size is negative", jsonPath: $"{path}.size");
    }
}
