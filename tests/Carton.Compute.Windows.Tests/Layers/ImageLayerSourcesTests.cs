using System.IO.Compression;
using System.Security.Cryptography;
using Carton.Images.Content;
using Carton.Images.Model;
using Carton.Images.Windows;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>A Windows image in Carton.Images' content store reaching HCS: blob → decompressor → importer → import
/// call, end to end with a real store and a fake computestorage.</summary>
public class ImageLayerSourcesTests
{
    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }

    [Fact]
    public async Task A_stored_image_becomes_imported_layer_folders()
    {
        using var dir = new TempFolder();
        var store = new ImageStore(Path.Combine(dir.Path, "images"));
        var baseTar = new LayerTar().Dir("Files").File("Files/base.txt", "base").Bytes();
        var topTar = new LayerTar().Dir("Files").File("Files/top.txt", "top").File("Files/.wh.base.txt", "").Bytes();
        var baseBlob = Gzip(baseTar);
        var baseDigest = await store.Content.IngestBytesAsync(baseBlob);
        var topDigest = await store.Content.IngestBytesAsync(topTar);
        string DiffId(byte[] tar) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar));

        var manifest = new Manifest
        {
            Layers =
            [
                new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = baseDigest.ToString(), Size = baseBlob.Length },
                new Descriptor { MediaType = MediaTypes.OciLayer, Digest = topDigest.ToString(), Size = topTar.Length },
            ],
        };
        var config = new ImageConfigFile { RootFs = new RootFs { DiffIds = [DiffId(baseTar), DiffId(topTar)] } };
        var image = new StoredImage("example/windows:1", new Descriptor(), new Descriptor(), manifest, config);

        var storage = new FakeLayerStorage();
        var folders = new LayerFolders(Path.Combine(dir.Path, "layers"));
        var stack = folders.EnsureImported(ImageLayerSources.Of(store, image), new WindowsLayerImporter(storage));

        Assert.Equal(2, storage.Imports.Count);
        Assert.Equal("base"u8.ToArray(), storage.Imports[0].Folder["Files/base.txt"]![^4..]); // the gzip blob, decompressed
        Assert.Contains("\\base.txt", System.Text.Encoding.UTF8.GetString(storage.Imports[1].Folder["tombstones.txt"]!), StringComparison.Ordinal);
        Assert.Equal([storage.Imports[1].LayerPath, storage.Imports[0].LayerPath], stack);
    }

    [Fact]
    public void Layers_and_diff_ids_must_pair_up()
    {
        using var dir = new TempFolder();
        var image = new StoredImage("x", new Descriptor(), new Descriptor(),
            new Manifest { Layers = [new Descriptor()] }, new ImageConfigFile());
        var e = Assert.ThrowsAny<CartonException>(() => ImageLayerSources.Of(new ImageStore(dir.Path), image));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
    }
}
