using System.Security.Cryptography;
using System.Text;
using Carton.Images.Linux.Tests.Support;
using Carton.Images.Linux.Unpack;

namespace Carton.Images.Linux.Tests;

/// <summary>
/// Whiteout handling against umoci's (`umoci unpack`, which applies an OCI image's layers into a bundle rootfs by
/// deletion, as containerd's applier does): the three layers of layer.md's examples, written as an OCI image layout
/// here, flattened by both.
/// </summary>
public sealed class UmociDifferentialTests
{
    [Fact]
    public void ThreeLayersWithWhiteouts_FlattenAsUmociUnpacks()
    {
        using var dir = new TestDirectory("umoci");
        var tars = new[] { WhiteoutTests.BaseLayer(), WhiteoutTests.SecondLayer(), WhiteoutTests.ThirdLayer() };
        var layout = dir.Sub("image");
        WriteLayout(layout, tars);
        var (code, output) = TreeModel.Run("umoci", "unpack", "--image", layout + ":latest", dir.Sub("bundle"));
        Assert.True(code == 0, "umoci unpack failed: " + output);

        var sources = new List<LayerSource>();
        foreach (var t in tars) sources.Add(TarBuilder.Source(t));
        RootfsFlattener.Flatten(sources, dir.Sub("carton"));

        // Directory times aside: umoci sets a directory's time when it applies the entry, before the directory's
        // content and whiteouts of later entries change it.
        var carton = TreeModel.Scan(dir.Sub("carton"), directoryTimes: false, rootEntry: false);
        var umoci = TreeModel.Scan(dir.Sub("bundle/rootfs"), directoryTimes: false, rootEntry: false);
        var diff = TreeModel.Diff(carton, umoci, "carton", "umoci");
        Assert.True(diff.Length == 0, "carton and umoci differ:\n" + diff);
        Assert.Equal(WhiteoutTests.ExpectedAfterThree.Length, carton.Count);
    }

    /// <summary>An OCI image layout (image-layout.md) with one manifest tagged "latest" over gzip layers.</summary>
    private static void WriteLayout(string root, byte[][] tars)
    {
        var blobs = Path.Combine(root, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string Blob(byte[] content)
        {
            var hex = Convert.ToHexStringLower(SHA256.HashData(content));
            File.WriteAllBytes(Path.Combine(blobs, hex), content);
            return "sha256:" + hex;
        }
        var layers = new StringBuilder();
        var diffIds = new StringBuilder();
        foreach (var tar in tars)
        {
            var gz = TarBuilder.Gzip(tar);
            if (layers.Length > 0) { layers.Append(','); diffIds.Append(','); }
            layers.Append($$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{Blob(gz)}}","size":{{gz.Length}}}""");
            diffIds.Append('"').Append(TarBuilder.DiffId(tar)).Append('"');
        }
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[{{{diffIds}}}]}}""");
        var manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Blob(config)}}","size":{{config.Length}}},"layers":[{{layers}}]}""");
        var manifestDigest = Blob(manifest);
        File.WriteAllText(Path.Combine(root, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        var index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
            $"\"digest\":\"{manifestDigest}\",\"size\":{manifest.Length}," +
            "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}";
        File.WriteAllText(Path.Combine(root, "index.json"), index);
    }
}
