namespace Carton.Network.Cni;

/// <summary>An interface of a CNI result (<c>interfaces[]</c>).</summary>
public sealed class CniInterface
{
    internal CniInterface(string name, string? mac, string? sandbox) { Name = name; Mac = mac; Sandbox = sandbox; }

    /// <summary>The interface's name.</summary>
    public string Name { get; }
    /// <summary>Its hardware address, when it has one.</summary>
    public string? Mac { get; }
    /// <summary>The network namespace path it lives in; null for a host-side interface.</summary>
    public string? Sandbox { get; }
}
