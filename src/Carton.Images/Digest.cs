using System.Security.Cryptography;

namespace Carton.Images;

/// <summary>
/// A content digest, "algorithm:encoded" (image-spec descriptor.md#digests). Carton computes sha256 and sha512 and
/// refuses any other algorithm, with the digest quoted; the encoded part must be lowercase hex of the right length.
/// </summary>
public readonly record struct Digest
{
    public string Algorithm { get; }
    public string Encoded { get; }

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    /// <summary>Parses "sha256:…" or "sha512:…"; throws an InvalidDocument error quoting <paramref name="text"/>
    /// (and naming <paramref name="field"/>) otherwise.</summary>
    public static Digest Parse(string text, string field = "digest")
    {
        if (TryParse(text, out var d)) return d;
        throw new CartonException(ErrorKind.InvalidDocument,
            $"{field}: \"{text}\" is not a valid digest (sha256:<64 hex> or sha512:<128 hex>)", jsonPath: field);
    }

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text is null) return false;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return false;
        var alg = text[..colon];
        var enc = text[(colon + 1)..];
        int len = alg switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (len < 0 || enc.Length != len || !enc.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')) return false;
        digest = new Digest(alg, enc);
        return true;
    }

    /// <summary>The sha256 digest of <paramref name="content"/>.</summary>
    public static Digest Sha256(ReadOnlySpan<byte> content) => new("sha256", Convert.ToHexStringLower(SHA256.HashData(content)));

    /// <summary>A hash for this digest's algorithm, to feed while streaming.</summary>
    public IncrementalHash NewHash() => IncrementalHash.CreateHash(Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    /// <summary>The digest a finished hash of this digest's algorithm gives.</summary>
    public Digest From(IncrementalHash hash) => new(Algorithm, Convert.ToHexStringLower(hash.GetHashAndReset()));

    /// <summary>A digest of <paramref name="algorithm"/> with the given hex.</summary>
    public static Digest FromHash(string algorithm, byte[] hash) => new(algorithm, Convert.ToHexStringLower(hash));

    public override string ToString() => $"{Algorithm}:{Encoded}";
}
