using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Carton.Network;

/// <summary>An IPv4 subnet: network address and prefix length, with the arithmetic networks need.</summary>
internal readonly record struct Ipv4Subnet(uint Network, int Prefix)
{
    public uint Mask => Prefix == 0 ? 0 : uint.MaxValue << (32 - Prefix);
    public uint Broadcast => Network | ~Mask;
    public bool Contains(uint address) => (address & Mask) == Network;
    public bool Overlaps(Ipv4Subnet other) { var m = Prefix < other.Prefix ? Mask : other.Mask; return (Network & m) == (other.Network & m); }
    public override string ToString() => $"{Format(Network)}/{Prefix}";

    /// <summary>Parses "A.B.C.D/N"; the address must be the network's own (no host bits), as CNI's host-local wants.</summary>
    public static bool TryParse(string text, out Ipv4Subnet subnet, out string why)
    {
        subnet = default;
        var slash = text.IndexOf('/');
        if (slash < 0) { why = "not in CIDR form (A.B.C.D/N)"; return false; }
        if (!TryParseAddress(text[..slash], out var addr)) { why = $"\"{text[..slash]}\" is not an IPv4 address"; return false; }
        if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 8 or > 30)
        { why = "the prefix length must be 8 to 30"; return false; }
        subnet = new Ipv4Subnet(addr, prefix);
        if ((addr & subnet.Mask) != addr) { why = $"host bits are set (the network address is {Format(addr & subnet.Mask)}/{prefix})"; return false; }
        why = "";
        return true;
    }

    public static bool TryParseAddress(string text, out uint address)
    {
        address = 0;
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork || text.Count(c => c == '.') != 3) return false;
        address = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        return true;
    }

    public static string Format(uint address) =>
        $"{address >> 24}.{(address >> 16) & 0xff}.{(address >> 8) & 0xff}.{address & 0xff}";
}
