namespace Carton.Network.Cni;

/// <summary>An address of a CNI result (<c>ips[]</c>).</summary>
public sealed class CniIpConfig
{
    internal CniIpConfig(string address, string? gateway, int? @interface) { Address = address; Gateway = gateway; Interface = @interface; }

    /// <summary>The address with its prefix length ("10.88.0.5/16").</summary>
    public string Address { get; }
    /// <summary>The gateway, when there is one.</summary>
    public string? Gateway { get; }
    /// <summary>The index in <see cref="CniResult.Interfaces"/> of the interface the address is on, when given.</summary>
    public int? Interface { get; }
}
