using System.IO.Compression;
using Carton.Images.Model;

namespace Carton.Images.Formats;

/// <summary>
/// A layer blob as the tar stream inside it (image-spec layer.md: a tar, optionally gzip- or zstd-compressed). The
/// media type decides when it says; otherwise (a docker-archive layer, <c>application/x-tar</c>, an unknown type) the
/// first bytes do: gzip starts 1f 8b (RFC 1952), zstd 28 b5 2f fd (RFC 8878), anything else is taken as a plain tar.
/// </summary>
public static class LayerStream
{
    /// <summary>Docker's uncompressed layer type, which image-spec does not list.</summary>
    public const string DockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

    /// <summary>
    /// The decompressed tar of <paramref name="blob"/>. The returned stream owns <paramref name="blob"/>. A media type
    /// that says gzip or zstd is trusted; a blob whose bytes are not of that format fails when read.
    /// </summary>
    public static Stream Open(Stream blob, string? mediaType)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var compression = Declared(mediaType);
        if (compression is null)
        {
            var (detected, replay) = Sniff(blob);
            compression = detected;
            blob = replay;
        }
        return Wrap(blob, compression.Value);
    }

    /// <summary>The compression <paramref name="mediaType"/> declares, or null when it does not say.</summary>
    public static LayerCompression? Declared(string? mediaType) => mediaType switch
    {
        null or "" or "application/x-tar" or "application/octet-stream" => null,
        DockerLayerTar => LayerCompression.None,
        _ => MediaTypes.CompressionOf(mediaType),
    };

    /// <summary>True for a media type Carton unpacks as a layer.</summary>
    public static bool IsLayerMediaType(string? mediaType) =>
        mediaType is DockerLayerTar || (mediaType is not null && MediaTypes.CompressionOf(mediaType) is not null);

    /// <summary>The compression the first bytes of <paramref name="head"/> show.</summary>
    public static LayerCompression Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b) return LayerCompression.Gzip;
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) return LayerCompression.Zstd;
        return LayerCompression.None;
    }

    /// <summary>The media type an OCI manifest gives a layer of that compression.</summary>
    public static string OciMediaType(LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => MediaTypes.OciLayerGzip,
        LayerCompression.Zstd => MediaTypes.OciLayerZstd,
        _ => MediaTypes.OciLayer,
    };

    private static Stream Wrap(Stream blob, LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => new GZipStream(blob, CompressionMode.Decompress, leaveOpen: false),
        LayerCompression.Zstd => new ZstdSharp.DecompressionStream(blob, leaveOpen: false),
        _ => blob,
    };

    /// <summary>Reads the magic bytes; returns the detected compression and a stream that still starts at byte 0.</summary>
    internal static (LayerCompression, Stream) Sniff(Stream blob)
    {
        var head = new byte[4];
        int got = 0;
        if (blob.CanSeek)
        {
            long start = blob.Position;
            while (got < head.Length)
            {
                int n = blob.Read(head, got, head.Length - got);
                if (n == 0) break;
                got += n;
            }
            blob.Position = start;
            return (Detect(head.AsSpan(0, got)), blob);
        }
        while (got < head.Length)
        {
            int n = blob.Read(head, got, head.Length - got);
            if (n == 0) break;
            got += n;
        }
        return (Detect(head.AsSpan(0, got)), new PrefixedStream(head.AsMemory(0, got), blob));
    }
}
