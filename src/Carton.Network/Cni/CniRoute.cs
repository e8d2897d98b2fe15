namespace Carton.Network.Cni;

/// <summary>A route of a CNI result (<c>routes[]</c>).</summary>
public sealed class CniRoute
{
    internal CniRoute(string dst, string? gw) { Dst = dst; Gw = gw; }

    /// <summary>The destination in CIDR form ("0.0.0.0/0").</summary>
    public string Dst { get; }
    /// <summary>The next hop; null means the default gateway of the interface.</summary>
    public string? Gw { get; }
}
