using System.Formats.Tar;
using Carton.Images.Content;

namespace Carton.Images.Formats;

/// <summary>
/// The files of an archive being imported, by their path inside it: small documents to read, and blobs to put in the
/// content store. A directory is read on demand; a tar is read once, front to back (it may be a pipe), putting every
/// blob in the store as it passes (verified against its name when it lives under blobs/ALG/HEX) and keeping the
/// documents in memory.
/// </summary>
internal abstract class ArchiveSource
{
    /// <summary>The largest document (JSON) read into memory.</summary>
    protected const int MaxDocument = 16 << 20;

    public abstract string Description { get; }
    public abstract bool Exists(string path);
    public abstract byte[]? ReadDocument(string path);

    /// <summary>Puts the file at <paramref name="path"/> in the store, verified against <paramref name="expected"/> when given.</summary>
    public abstract Task<(Digest Digest, long Size)> IngestAsync(string path, Digest? expected, long? size, CancellationToken ct);

    /// <summary>"./a//b" and "/a/b" are "a/b".</summary>
    public static string Normalise(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Replace('\\', '/').Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>True for blobs/ALG/HEX with a valid digest.</summary>
    public static bool IsBlobPath(string path, out Digest digest)
    {
        digest = default;
        var parts = path.Split('/');
        return parts.Length == 3 && parts[0] == "blobs" && Digest.TryParse($"{parts[1]}:{parts[2]}", out digest);
    }
}

internal sealed class DirectorySource(string root, ContentStore store) : ArchiveSource
{
    public override string Description => $"directory {root}";

    private string Full(string path)
    {
        var full = Path.GetFullPath(Path.Combine(root, Normalise(path)));
        var rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootFull, StringComparison.Ordinal))
            throw new CartonException(ErrorKind.InvalidDocument, $"{Description}: path \"{path}\" leaves the archive");
        return full;
    }

    public override bool Exists(string path) => File.Exists(Full(path));

    public override byte[]? ReadDocument(string path)
    {
        var full = Full(path);
        if (!File.Exists(full)) return null;
        if (new FileInfo(full).Length > MaxDocument)
            throw new CartonException(ErrorKind.InvalidDocument, $"{Description}: {path} is larger than {MaxDocument} bytes");
        return File.ReadAllBytes(full);
    }

    public override async Task<(Digest Digest, long Size)> IngestAsync(string path, Digest? expected, long? size, CancellationToken ct)
    {
        var full = Full(path);
        if (!File.Exists(full))
            throw new CartonException(ErrorKind.InvalidDocument, $"{Description}: {path} is missing");
        await using var file = File.OpenRead(full);
        if (expected is { } d)
        {
            try
            {
                await store.IngestAsync(file, d, size, ct).ConfigureAwait(false);
            }
            catch (CartonException e)
            {
                throw new CartonException(e.Kind, $"{Description}: {path}: {e.Message}", e, jsonPath: e.JsonPath, reason: e.Reason);
            }
            return (d, store.SizeOf(d) ?? file.Length);
        }
        return await store.IngestUnknownAsync(file, ct).ConfigureAwait(false);
    }
}

internal sealed class TarSource : ArchiveSource
{
    private readonly Dictionary<string, byte[]> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Digest Digest, long Size)> _blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

    private TarSource(string description) => Description = description;

    public override string Description { get; }

    /// <summary>Reads the whole tar (gzip or zstd compressed tars too), storing blobs as they pass.</summary>
    public static async Task<TarSource> ReadAsync(Stream input, string description, ContentStore store, CancellationToken ct)
    {
        var source = new TarSource(description);
        await using var tarStream = LayerStream.Open(input, null);
        await using var reader = new TarReader(tarStream, leaveOpen: true);
        TarEntry? entry;
        while ((entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false)) is not null)
        {
            var path = Normalise(entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.SymbolicLink:
                    // docker save links a layer that occurs twice to its first copy ("../ID/layer.tar").
                    var dir = path.Contains('/') ? path[..path.LastIndexOf('/')] : "";
                    source._links[path] = Normalise(entry.LinkName.StartsWith('/') ? entry.LinkName : $"{dir}/{entry.LinkName}");
                    continue;
                case TarEntryType.HardLink:
                    source._links[path] = Normalise(entry.LinkName);
                    continue;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    break;
                default:
                    continue;
            }
            var data = entry.DataStream ?? Stream.Null;
            if (IsBlobPath(path, out var digest))
            {
                try
                {
                    await store.IngestAsync(data, digest, entry.Length, ct).ConfigureAwait(false);
                }
                catch (CartonException e)
                {
                    throw new CartonException(e.Kind, $"{description}: {path}: {e.Message}", e, jsonPath: e.JsonPath, reason: e.Reason);
                }
                source._blobs[path] = (digest, entry.Length);
            }
            else if (IsDocumentName(path) && entry.Length <= MaxDocument)
            {
                var bytes = new byte[entry.Length];
                await data.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
                source._documents[path] = bytes;
            }
            else
            {
                source._blobs[path] = await store.IngestUnknownAsync(data, ct).ConfigureAwait(false);
            }
        }
        return source;
    }

    private static bool IsDocumentName(string path) =>
        path.EndsWith(".json", StringComparison.Ordinal) || path is "oci-layout" or "repositories";

    private string Resolve(string path)
    {
        path = Normalise(path);
        for (int i = 0; i < 16 && _links.TryGetValue(path, out var target); i++) path = target;
        return path;
    }

    public override bool Exists(string path)
    {
        var p = Resolve(path);
        return _documents.ContainsKey(p) || _blobs.ContainsKey(p);
    }

    public override byte[]? ReadDocument(string path) => _documents.GetValueOrDefault(Resolve(path));

    public override Task<(Digest Digest, long Size)> IngestAsync(string path, Digest? expected, long? size, CancellationToken ct)
    {
        var p = Resolve(path);
        if (_blobs.TryGetValue(p, out var blob))
        {
            if (expected is { } d && d != blob.Digest)
                throw new CartonException(ErrorKind.InvalidDocument, $"{Description}: {path} has digest {blob.Digest}, expected {d}", jsonPath: "digest");
            return Task.FromResult(blob);
        }
        throw new CartonException(ErrorKind.InvalidDocument, $"{Description}: {path} is missing from the archive");
    }
}
