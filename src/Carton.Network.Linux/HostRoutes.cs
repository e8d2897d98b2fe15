using System.Globalization;

namespace Carton.Network.Linux;

/// <summary>The IPv4 routes of the network namespace this process is in (/proc/net/route), so that a subnet Carton
/// picks never shadows one the host already reaches. The default route (0.0.0.0/0) is not a collision.</summary>
internal static class HostRoutes
{
    public static List<Ipv4Subnet> Read(string path = "/proc/net/route")
    {
        var list = new List<Ipv4Subnet>();
        if (!File.Exists(path)) return list;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (f.Length < 8) continue;
            // Destination and Mask are hex in host (little-endian) byte order
            if (!uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var dst) ||
                !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)) continue;
            dst = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(dst);
            mask = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(mask);
            int prefix = System.Numerics.BitOperations.PopCount(mask);
            if (prefix == 0) continue;
            list.Add(new Ipv4Subnet(dst & mask, prefix));
        }
        return list;
    }
}
