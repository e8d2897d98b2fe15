using System.Security.Cryptography;
using System.Text;
using Carton.Images.Windows;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>The wiring from an image's layer chain to layer folders, parents and HCS layer ids.</summary>
public class LayerFoldersTests
{
    private static readonly string D1 = "sha256:" + new string('a', 64), D2 = "sha256:" + new string('b', 64), D3 = "sha256:" + new string('c', 64);

    private static string Chain(string parent, string diffId) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(parent + " " + diffId)));

    [Fact]
    public void Each_layer_gets_a_chain_id_folder_and_its_parents_nearest_first()
    {
        using var dir = new TempFolder();
        var folders = new LayerFolders(dir.Path);
        var plan = folders.Plan([D1, D2, D3]);
        var c2 = Chain(D1, D2);
        var c3 = Chain(c2, D3);
        Assert.Equal([D1, c2, c3], plan.Select(p => p.ChainId));
        Assert.Equal(Path.Combine(dir.Path, "sha256-" + new string('a', 64)), plan[0].Folder); // no ':' in a Windows name
        Assert.Equal(Path.Combine(dir.Path, "sha256-" + c3["sha256:".Length..]), plan[2].Folder);
        Assert.Empty(plan[0].Parents);
        Assert.Equal([plan[0].Folder], plan[1].Parents);
        Assert.Equal([plan[1].Folder, plan[0].Folder], plan[2].Parents);
    }

    [Fact]
    public void Ensure_imports_missing_layers_bottom_up_over_their_parents_once()
    {
        using var dir = new TempFolder();
        var root = Path.Combine(dir.Path, "layers");
        var tars = new[] { new LayerTar().Dir("Files").Bytes(), new LayerTar().File("Files/a", "a").Bytes(), new LayerTar().File("Files/b", "b").Bytes() };
        string DiffId(byte[] t) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(t));
        var opened = new List<int>();
        var sources = tars.Select((t, i) => new WindowsLayerSource(DiffId(t), () => { opened.Add(i); return new MemoryStream(t); })).ToList();
        var storage = new FakeLayerStorage();
        var folders = new LayerFolders(root);

        var stack = folders.EnsureImported(sources, new WindowsLayerImporter(storage));
        var plan = folders.Plan([.. sources.Select(s => s.DiffId)]);
        Assert.Equal([plan[2].Folder, plan[1].Folder, plan[0].Folder], stack); // top first: Storage.Layers' order
        Assert.Equal([plan[0].Folder, plan[1].Folder, plan[2].Folder], storage.Imports.Select(c => c.LayerPath));
        Assert.Contains($"\"Path\":\"{plan[0].Folder}\"", storage.Imports[1].LayerDataJson, StringComparison.Ordinal);
        Assert.Contains($"\"Layers\":[{{\"Id\":\"{LayerFolders.LayerId(plan[1].Folder)}\",\"Path\":\"{plan[1].Folder}\"}},{{\"Id\":\"{LayerFolders.LayerId(plan[0].Folder)}\",\"Path\":\"{plan[0].Folder}\"}}]",
            storage.Imports[2].LayerDataJson, StringComparison.Ordinal);

        // Again: every folder is there, nothing is opened or imported.
        opened.Clear();
        folders.EnsureImported(sources, new WindowsLayerImporter(storage));
        Assert.Empty(opened);
        Assert.Equal(3, storage.Imports.Count);
    }

    [Fact]
    public void A_layer_whose_tar_does_not_match_its_diff_id_stops_the_chain()
    {
        using var dir = new TempFolder();
        var sources = new[] { new WindowsLayerSource("sha256:" + new string('0', 64), () => new MemoryStream(new LayerTar().Dir("Files").Bytes())) };
        var storage = new FakeLayerStorage();
        var e = Assert.Throws<WindowsLayerException>(() => new LayerFolders(dir.Path).EnsureImported(sources, new WindowsLayerImporter(storage)));
        Assert.Equal(ImportChecks.DiffId, e.Check);
        Assert.Empty(storage.Imports);
    }

    [Fact]
    public void Name_based_guid_matches_rfc_4122s_version_5()
    {
        // The well-known version 5 UUID of "www.example.com" in the DNS namespace (6ba7b810-9dad-11d1-80b4-00c04fd430c8).
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"),
            LayerFolders.NameBasedGuid(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com"));
        var id = LayerFolders.LayerId(@"/layers/sha256-abc/");
        Assert.Equal(id, LayerFolders.LayerId("/other/root/sha256-abc")); // the folder's name, not where it is
        Assert.Equal('5', id.ToString()[14]);
    }

    [Fact]
    public void A_bad_digest_is_refused_naming_it()
    {
        using var dir = new TempFolder();
        var e = Assert.ThrowsAny<CartonException>(() => new LayerFolders(dir.Path).Plan(["sha256:nothex"]));
        Assert.Contains("sha256:nothex", e.Message, StringComparison.Ordinal);
    }
}
