using System.Security.Cryptography;
using System.Text;

namespace Carton.Network.Windows;

/// <summary>
/// How the contract's ids relate to HCN's GUIDs. Networks and endpoints get a 64-hex id whose first 32 hex characters
/// are a random (version 4) GUID in "N" form, and that GUID is the HCN object's: the GUID is read back from the id
/// alone, an id prefix of up to 32 characters is a prefix of the GUID HNS shows (hnsdiag, Get-HnsNetwork), and the
/// other 32 characters keep the id as long as every other Carton id. A namespace's id is the caller's (a container id,
/// any form): its GUID is the id's first 32 characters when they are hex, otherwise a name-based GUID (the first 16
/// bytes of SHA-256 of the id, with the RFC 9562 version 8 and variant bits), so the same id always names the same
/// HCN namespace.
/// </summary>
internal static class HcnIds
{
    /// <summary>A new 64-hex id whose first half is a new GUID.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N") + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The HCN GUID of a network's or endpoint's 64-hex id.</summary>
    public static Guid GuidOf(string id) => Guid.ParseExact(id[..32], "N");

    /// <summary>The HCN GUID of namespace <paramref name="id"/>.</summary>
    public static Guid NamespaceGuidOf(string id)
    {
        if (id.Length >= 32 && Guid.TryParseExact(id[..32], "N", out var direct)) return direct;
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(id)).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: custom
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant RFC 9562
        return new Guid(bytes, bigEndian: true);
    }
}
