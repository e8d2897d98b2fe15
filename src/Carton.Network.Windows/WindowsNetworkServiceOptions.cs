namespace Carton.Network.Windows;

/// <summary>Where the Windows network service keeps Carton's own records, and how it picks subnets. HCN keeps the
/// networks, endpoints and namespaces themselves; Carton's records hold what HCN has no field for (names and aliases,
/// labels, published ports as asked, namespace options) and the contract's ids.</summary>
public sealed class WindowsNetworkServiceOptions
{
    /// <summary>The records' root: <c>networks\</c>, <c>endpoints\</c> and <c>namespaces\</c> under it. The default is
    /// <c>%ProgramData%\carton\network</c> (Docker on Windows keeps its state under %ProgramData%\docker the same way).</summary>
    public string StateRoot { get; init; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "carton", "network");

    /// <summary>The pool default subnets are cut from (/24s). Docker on Windows takes its "nat" subnet from
    /// 172.16.0.0/12; Carton uses the same pool as on Linux (podman's 10.89.0.0/16) so that one name means one subnet
    /// on both.</summary>
    public string SubnetPool { get; init; } = "10.89.0.0/16";
}
