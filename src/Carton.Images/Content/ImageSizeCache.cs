using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Images.Content;

/// <summary>
/// Each named image's size (its manifest's config and layers, as `carton image ls` shows it), remembered in
/// <c>cache/image-sizes.json</c> so that a listing reads one file instead of every image's manifest (issue 16: `ls`
/// with 500 images under 50 ms; parsing 500 manifests took 25 of its 51 ms, bench/image-ls.sh).
/// </summary>
/// <remarks>
/// Sizes are keyed by the name's target digest: the documents are content-addressed, so what a digest resolves to
/// changes only when the set of blobs does (an index resolves to the host's manifest among those present). The file
/// records the blobs directory's modification time and the host platform; any blob added or removed changes that time,
/// and the whole cache is then recomputed, so it is never stale. It is derived data: losing it, or failing to write it
/// (a read-only store, a full disk), only costs the next listing its time. The stamp is read before the sizes are
/// computed, so a blob arriving meanwhile leaves an older stamp and the next listing recomputes; and a stamp younger than
/// a second is not written (see <see cref="SizesOf"/>).
/// </remarks>
public static class ImageSizeCache
{
    /// <summary>The cache's path under the store's root.</summary>
    public static string PathIn(string root) => Path.Combine(root, "cache", "image-sizes.json");

    /// <summary>The size of each of <paramref name="records"/>' images, by target digest (0 for one that cannot be
    /// resolved here, which is not remembered).</summary>
    public static IReadOnlyDictionary<string, long> SizesOf(ImageStore store, IReadOnlyList<ImageRecord> records)
    {
        var stamp = Stamp(store);
        var platform = Model.Platform.Host().ToString();
        var path = PathIn(store.Root);
        var cached = Read(path);
        var known = cached is not null && cached.Stamp == stamp && cached.Platform == platform ? cached.Sizes : [];
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        bool computed = false;
        foreach (var r in records)
        {
            if (sizes.ContainsKey(r.Target.Digest)) continue;
            if (known.TryGetValue(r.Target.Digest, out var size)) { sizes[r.Target.Digest] = size; continue; }
            computed = true;
            if (Compute(store, r) is { } s) sizes[r.Target.Digest] = s;
        }
        // Only a stamp at least a second old is written: the kernel stamps directories with a coarse clock (a tick of
        // a few ms), so a blob added in the same tick as the last change would leave the time, and a stale cache, as
        // they were. A stamp older than the tick cannot be repeated by a later change.
        if ((computed || sizes.Count != known.Count) && DateTime.UtcNow.Ticks - stamp > TimeSpan.TicksPerSecond)
            TryWrite(path, new ImageSizeCacheFile { Stamp = stamp, Platform = platform, Sizes = sizes });
        return sizes;
    }

    private static long? Compute(ImageStore store, ImageRecord r)
    {
        try
        {
            // Resolve the record in hand: Inspect looks the name up again, re-reading index.json for every image,
            // which made `ls` quadratic (2.1 s with 500 images, bench/image-ls.sh)
            var (_, manifest) = store.ResolveManifest(r.Name, r.Target);
            return manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
        }
        catch (CartonException)
        {
            return null;
        }
    }

    /// <summary>The blobs directory's modification time (UTC ticks), or 0 when it is absent.</summary>
    private static long Stamp(ImageStore store)
    {
        var dir = new DirectoryInfo(Path.Combine(store.Root, "blobs", "sha256"));
        return dir.Exists ? dir.LastWriteTimeUtc.Ticks : 0;
    }

    private static ImageSizeCacheFile? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ImageSizeCacheJsonContext.Default.ImageSizeCacheFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null; // absent, unreadable or damaged: recomputed
        }
    }

    private static void TryWrite(string path, ImageSizeCacheFile file)
    {
        try
        {
            AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(file, ImageSizeCacheJsonContext.Default.ImageSizeCacheFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException)
        {
            // a read-only or full store: the listing is still right, only the next one is not faster
        }
    }
}

/// <summary>cache/image-sizes.json (<see cref="ImageSizeCache"/>).</summary>
public sealed class ImageSizeCacheFile
{
    [JsonPropertyName("stamp")] public long Stamp { get; set; }
    [JsonPropertyName("platform")] public string Platform { get; set; } = "";
    [JsonPropertyName("sizes")] public Dictionary<string, long> Sizes { get; set; } = [];
}

[JsonSerializable(typeof(ImageSizeCacheFile))]
internal sealed partial class ImageSizeCacheJsonContext : JsonSerializerContext;
