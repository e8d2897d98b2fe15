using System.Security.Cryptography;
using System.Text;

namespace Carton.Images.Windows;

/// <summary>A layer to import: its DiffID (config.rootfs.diff_ids) and a function that opens its uncompressed tar.
/// From an image in Carton.Images' store: <c>new WindowsLayerSource(image.DiffIds[i], () =&gt; store.OpenLayer(image.Layers[i]))</c>
/// (ImageStore.OpenLayer is the content store's blob through LayerStream's decompressor).</summary>
/// <param name="DiffId">"sha256:…" of the uncompressed tar; the import checks it.</param>
/// <param name="Open">Opens the uncompressed tar; called only when the layer has to be imported, disposed after.</param>
public sealed record WindowsLayerSource(string DiffId, Func<Stream> Open);

/// <summary>Where one layer of a chain lives and what it stands on.</summary>
/// <param name="DiffId">The layer's DiffID.</param>
/// <param name="ChainId">Its chain ID (image-spec config.md#layer-chainid): the identity of the layer with everything below it.</param>
/// <param name="Folder">Its layer folder.</param>
/// <param name="Parents">The folders of the layers below, nearest first, base last (HCS's order).</param>
public sealed record WindowsLayerFolder(string DiffId, string ChainId, string Folder, IReadOnlyList<string> Parents);

/// <summary>
/// The wiring between a pulled image and HCS: each layer of a chain gets a folder under <see cref="Root"/> named by
/// its chain ID (so the same layer over the same parents is imported once and shared, as containerd's Windows
/// snapshotter keys them), its parents are the folders of the layers below it, and
/// <see cref="EnsureImported"/> imports the ones not there yet, bottom up. The container's Storage.Layers is then
/// <see cref="WindowsLayerFolder.Parents"/> of a scratch layer over the top one, i.e. the stack top first.
/// </summary>
/// <remarks>
/// A folder that exists is taken as imported (a failed import removes its folder). Two processes importing the same
/// chain at once are not serialized here: the caller holds the image store's lease. Layer ids: HCS's LayerData takes
/// a GUID per layer; hcsshim derives it with vmcompute.dll's NameToGuid from the folder name, whose algorithm is not
/// documented, so Carton derives a name-based (RFC 4122 version 5, SHA-1) GUID from the folder name instead,
/// stable across runs. Whether HCS checks it against NameToGuid's is not verified on Windows.
/// </remarks>
public sealed class LayerFolders
{
    /// <summary>The RFC 4122 namespace of Carton's layer ids (a fixed, random GUID).</summary>
    private static readonly Guid Namespace = new("5f7c1c2e-8a4d-4f0b-9d3e-2b6a71c0e4a9");

    /// <summary>Layer folders under <paramref name="root"/> (an absolute path).</summary>
    public LayerFolders(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Path.IsPathFullyQualified(root)) throw new CartonException(ErrorKind.InvalidDocument, $"layer root \"{root}\" is not absolute");
        Root = root;
    }

    /// <summary>The folder all layer folders are in.</summary>
    public string Root { get; }

    /// <summary>The folder of the layer with chain ID <paramref name="chainId"/>: "&lt;algorithm&gt;-&lt;hex&gt;" (no ':',
    /// which Windows forbids in a name).</summary>
    public string FolderOf(string chainId)
    {
        var digest = Carton.Images.Digest.Parse(chainId, "chain ID");
        return Path.Combine(Root, $"{digest.Algorithm}-{digest.Encoded}");
    }

    /// <summary>The GUID HCS's LayerData gives the layer at <paramref name="layerPath"/>: version 5 over the folder name.</summary>
    public static Guid LayerId(string layerPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        return NameBasedGuid(Namespace, Path.GetFileName(Path.TrimEndingDirectorySeparator(layerPath)));
    }

    /// <summary>RFC 4122 §4.3 version 5: SHA-1 over the namespace's bytes (network order) and the name's UTF-8.</summary>
    internal static Guid NameBasedGuid(Guid ns, string name)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetByteCount(name)];
        ns.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input[16..]);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 is what RFC 4122 version 5 is defined with; this is an identifier, not security
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The chain IDs of layers given bottom first (image-spec: ChainID(L0) = DiffID(L0),
    /// ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))).</summary>
    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIdsBottomFirst)
    {
        ArgumentNullException.ThrowIfNull(diffIdsBottomFirst);
        var chain = new List<string>(diffIdsBottomFirst.Count);
        string? parent = null;
        foreach (var diffId in diffIdsBottomFirst)
        {
            Carton.Images.Digest.Parse(diffId, "diffID");
            parent = parent is null ? diffId
                : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(parent + " " + diffId)));
            chain.Add(parent);
        }
        return chain;
    }

    /// <summary>Each layer's folder and parents, bottom first.</summary>
    public IReadOnlyList<WindowsLayerFolder> Plan(IReadOnlyList<string> diffIdsBottomFirst)
    {
        var chain = ChainIds(diffIdsBottomFirst);
        var result = new List<WindowsLayerFolder>(chain.Count);
        var below = new List<string>(); // nearest first
        for (int i = 0; i < chain.Count; i++)
        {
            var folder = FolderOf(chain[i]);
            result.Add(new WindowsLayerFolder(diffIdsBottomFirst[i], chain[i], folder, [.. below]));
            below.Insert(0, folder);
        }
        return result;
    }

    /// <summary>
    /// Imports the layers of <paramref name="layersBottomFirst"/> whose folders do not exist yet, bottom up, each over
    /// the ones below it and checked against its DiffID, and returns the stack's folders top first (the order of a
    /// container's Storage.Layers).
    /// </summary>
    public IReadOnlyList<string> EnsureImported(IReadOnlyList<WindowsLayerSource> layersBottomFirst, WindowsLayerImporter importer)
    {
        ArgumentNullException.ThrowIfNull(layersBottomFirst);
        ArgumentNullException.ThrowIfNull(importer);
        var plan = Plan([.. layersBottomFirst.Select(l => l.DiffId)]);
        Directory.CreateDirectory(Root);
        for (int i = 0; i < plan.Count; i++)
        {
            var layer = plan[i];
            if (Directory.Exists(layer.Folder)) continue;
            using var tar = layersBottomFirst[i].Open();
            importer.Import(tar, layer.Folder, layer.Parents, new WindowsLayerImportOptions { ExpectedDiffId = layer.DiffId });
        }
        return plan.Count == 0 ? [] : [plan[^1].Folder, .. plan[^1].Parents];
    }
}
