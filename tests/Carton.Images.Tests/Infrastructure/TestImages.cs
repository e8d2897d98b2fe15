using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Images.Model;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>A blob of a test image: its bytes and the media type the manifest gives it.</summary>
public sealed record TestBlob(byte[] Content, string MediaType)
{
    public Digest Digest => Digest.Sha256(Content);
    public Descriptor Descriptor => new() { MediaType = MediaType, Digest = Digest.ToString(), Size = Content.Length };
}

/// <summary>A manifest of a test image and the blobs it names.</summary>
public sealed record TestManifest(byte[] Content, string MediaType, TestBlob Config, IReadOnlyList<TestBlob> Layers, Platform Platform)
{
    public Digest Digest => Digest.Sha256(Content);
    public Descriptor Descriptor => new() { MediaType = MediaType, Digest = Digest.ToString(), Size = Content.Length, Platform = Platform };
}

/// <summary>An image to push: its manifests (one, or several under an index) and the top document.</summary>
public sealed record TestImage(string Repository, string Tag, IReadOnlyList<TestManifest> Manifests, byte[]? Index, string? IndexMediaType)
{
    public byte[] TopContent => Index ?? Manifests[0].Content;
    public string TopMediaType => IndexMediaType ?? Manifests[0].MediaType;
    public Digest TopDigest => Digest.Sha256(TopContent);
    public IEnumerable<TestBlob> Blobs => Manifests.SelectMany(m => m.Layers.Prepend(m.Config)).DistinctBy(b => b.Digest);
}

/// <summary>
/// Test images built from /bin/busybox (busybox-static): a layer with bin/busybox and bin/sh linking to it, plus small
/// layers, in gzip, zstd or plain tar, under OCI or Docker schema 2 manifests and indexes.
/// </summary>
public static class TestImages
{
    private static readonly Lazy<byte[]> BusyboxTar = new(() => Tar(
        ("bin/", null, null),
        ("bin/busybox", File.ReadAllBytes("/bin/busybox"), null),
        ("bin/sh", null, "busybox")));

    public static byte[] BusyboxLayerTar => BusyboxTar.Value;

    /// <summary>A tar of entries: (name, content, null) files, (dir/, null, null) directories, (name, null, target) symlinks.</summary>
    public static byte[] Tar(params (string Name, byte[]? Content, string? LinkTarget)[] entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content, link) in entries)
            {
                if (link is not null)
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = link, ModificationTime = Epoch });
                }
                else if (content is null)
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101, ModificationTime = Epoch });
                }
                else
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                    {
                        DataStream = new MemoryStream(content),
                        Mode = (UnixFileMode)0b111_101_101,
                        ModificationTime = Epoch,
                    });
                }
            }
        }
        return output.ToArray();
    }

    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }

    public static byte[] Zstd(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(data).ToArray();
    }

    public static byte[] Config(string architecture, params byte[][] uncompressedLayers)
    {
        var config = new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["created"] = "2026-01-01T00:00:00Z",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ["Cmd"] = new JsonArray("/bin/sh"),
            },
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray([.. uncompressedLayers.Select(l => (JsonNode)Digest.Sha256(l).ToString())]),
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(config);
    }

    /// <summary>A manifest over <paramref name="layers"/> (each: uncompressed tar, compressed bytes, media type).</summary>
    public static TestManifest Manifest(string architecture, bool docker, params (byte[] Tar, byte[] Blob, string MediaType)[] layers)
    {
        var config = new TestBlob(Config(architecture, [.. layers.Select(l => l.Tar)]), docker ? MediaTypes.DockerConfig : MediaTypes.OciConfig);
        var layerBlobs = layers.Select(l => new TestBlob(l.Blob, l.MediaType)).ToList();
        var mediaType = docker ? MediaTypes.DockerManifest : MediaTypes.OciManifest;
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["config"] = DescriptorJson(config.Descriptor),
            ["layers"] = new JsonArray([.. layerBlobs.Select(b => (JsonNode)DescriptorJson(b.Descriptor))]),
        };
        return new TestManifest(JsonSerializer.SerializeToUtf8Bytes(manifest), mediaType, config, layerBlobs,
            new Platform { Os = "linux", Architecture = architecture });
    }

    public static TestImage Single(string repository, string tag, TestManifest manifest) => new(repository, tag, [manifest], null, null);

    public static TestImage WithIndex(string repository, string tag, bool docker, params TestManifest[] manifests)
    {
        var mediaType = docker ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["manifests"] = new JsonArray([.. manifests.Select(m =>
            {
                var d = DescriptorJson(m.Descriptor);
                d["platform"] = new JsonObject { ["architecture"] = m.Platform.Architecture, ["os"] = m.Platform.Os };
                return (JsonNode)d;
            })]),
        };
        return new TestImage(repository, tag, manifests, JsonSerializer.SerializeToUtf8Bytes(index), mediaType);
    }

    public static JsonObject DescriptorJson(Descriptor d) => new()
    {
        ["mediaType"] = d.MediaType,
        ["digest"] = d.Digest,
        ["size"] = d.Size,
    };

    /// <summary>(tar, gzip of it, OCI gzip type) for busybox.</summary>
    public static (byte[], byte[], string) BusyboxGzip(string mediaType = MediaTypes.OciLayerGzip) => (BusyboxLayerTar, Gzip(BusyboxLayerTar), mediaType);

    public static (byte[], byte[], string) SmallLayer(string file, string text, LayerCompression compression)
    {
        var tar = Tar(("etc/", null, null), ("etc/" + file, System.Text.Encoding.UTF8.GetBytes(text), null));
        return compression switch
        {
            LayerCompression.Gzip => (tar, Gzip(tar), MediaTypes.OciLayerGzip),
            LayerCompression.Zstd => (tar, Zstd(tar), MediaTypes.OciLayerZstd),
            _ => (tar, tar, MediaTypes.OciLayer),
        };
    }

    public static (byte[], byte[], string) WithType((byte[] Tar, byte[] Blob, string) layer, string mediaType) => (layer.Tar, layer.Blob, mediaType);

    /// <summary>The images the registry tests push.</summary>
    public static IReadOnlyList<TestImage> All { get; } = Build();

    public static TestImage SingleOci => All[0];
    public static TestImage MultiOci => All[1];
    public static TestImage DockerV2 => All[2];
    public static TestImage DockerList => All[3];
    public static TestImage Mixed => All[4];

    private static List<TestImage> Build() =>
    [
        Single("carton/single", "1", Manifest("amd64", false, BusyboxGzip())),
        WithIndex("carton/multi", "1", false,
            Manifest("amd64", false, BusyboxGzip(), SmallLayer("arch", "amd64", LayerCompression.Gzip)),
            Manifest("arm64", false, BusyboxGzip(), SmallLayer("arch", "arm64", LayerCompression.Gzip))),
        Single("carton/docker", "1", Manifest("amd64", true, BusyboxGzip(MediaTypes.DockerLayerGzip))),
        WithIndex("carton/dockerlist", "1", true,
            Manifest("amd64", true, BusyboxGzip(MediaTypes.DockerLayerGzip), WithType(SmallLayer("arch", "amd64-docker", LayerCompression.Gzip), MediaTypes.DockerLayerGzip)),
            Manifest("arm64", true, BusyboxGzip(MediaTypes.DockerLayerGzip), WithType(SmallLayer("arch", "arm64-docker", LayerCompression.Gzip), MediaTypes.DockerLayerGzip))),
        Single("carton/mixed", "1", Manifest("amd64", false,
            BusyboxGzip(),
            SmallLayer("zstd", "a zstd layer", LayerCompression.Zstd),
            SmallLayer("plain", "an uncompressed layer", LayerCompression.None),
            SmallLayer("second-gzip", "another gzip layer", LayerCompression.Gzip))),
    ];
}
