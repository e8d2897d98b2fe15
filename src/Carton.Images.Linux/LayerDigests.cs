using System.Security.Cryptography;
using System.Text;

namespace Carton.Images.Linux;

/// <summary>
/// DiffIDs and chain IDs as the strings image configs carry ("sha256:&lt;64 hex&gt;", image-spec descriptor.md#digests;
/// sha512 is accepted too). Kept here rather than Carton.Images' Digest so the kernel side builds on its own.
/// </summary>
public static class LayerDigests
{
    /// <summary>True for "sha256:" + 64 or "sha512:" + 128 lowercase hex digits.</summary>
    public static bool IsValid(string? digest)
    {
        if (digest is null) return false;
        int colon = digest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return false;
        int len = digest.AsSpan(0, colon) switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (len < 0 || digest.Length - colon - 1 != len) return false;
        foreach (var c in digest.AsSpan(colon + 1))
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        return true;
    }

    /// <summary>Throws an InvalidDocument error quoting <paramref name="digest"/> unless it is valid.</summary>
    public static string Validate(string? digest, string what)
    {
        if (IsValid(digest)) return digest!;
        throw new CartonException(ErrorKind.InvalidDocument,
            $"{what}: \"{digest}\" is not a valid digest (sha256:<64 hex> or sha512:<128 hex>)");
    }

    /// <summary>
    /// The chain ID of a layer over its parent chain (image-spec config.md#layer-chainid): ChainID(L0) = DiffID(L0),
    /// ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)).
    /// </summary>
    public static string ChainId(string? parentChainId, string diffId)
    {
        Validate(diffId, "diffID");
        if (parentChainId is null) return diffId;
        Validate(parentChainId, "parent chain ID");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(parentChainId + " " + diffId)));
    }

    /// <summary>The chain IDs of a stack of layers, bottom first.</summary>
    public static List<string> ChainIds(IReadOnlyList<string> diffIdsBottomFirst)
    {
        ArgumentNullException.ThrowIfNull(diffIdsBottomFirst);
        var chain = new List<string>(diffIdsBottomFirst.Count);
        string? parent = null;
        foreach (var diffId in diffIdsBottomFirst) chain.Add(parent = ChainId(parent, diffId));
        return chain;
    }

    /// <summary>A hash of the algorithm of <paramref name="expected"/> (sha256 when there is none).</summary>
    internal static IncrementalHash NewHash(string? expected) =>
        IncrementalHash.CreateHash(expected is not null && expected.StartsWith("sha512:", StringComparison.Ordinal) ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    internal static string Format(IncrementalHash hash) =>
        (hash.AlgorithmName == HashAlgorithmName.SHA512 ? "sha512:" : "sha256:") + Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <summary>The file name a digest takes on disk: "sha256-&lt;hex&gt;" (no ':', which overlay's lowerdir list and
    /// the id rule of docs/architecture.md both exclude).</summary>
    public static string FileName(string digest) => Validate(digest, "digest").Replace(':', '-');
}
