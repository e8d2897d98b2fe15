namespace Carton.Network.Linux;

/// <summary>Where the network service keeps its state and finds its plugins. The defaults are the host layout
/// (docs/architecture.md); tests give their own roots.</summary>
public sealed class NetworkServiceOptions
{
    /// <summary>Network definitions (persistent): one record per network.</summary>
    public string StateRoot { get; init; } = NetworkDefaults.StateRoot;
    /// <summary>Attachments (runtime): endpoints, namespaces and their files, the CNI result cache, IPAM records.</summary>
    public string RunRoot { get; init; } = NetworkDefaults.RunRoot;
    /// <summary>Namespace pins.</summary>
    public string NetnsDirectory { get; init; } = NetworkDefaults.NetnsDirectory;
    /// <summary>Where to find the CNI plugins.</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = NetworkDefaults.PluginDirectories;
    /// <summary>How long a plugin may run before it is killed.</summary>
    public TimeSpan PluginTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The pool the default subnets are cut from (/24s): 10.89.0.0/16, as podman's.</summary>
    public string SubnetPool { get; init; } = "10.89.0.0/16";
    /// <summary>The resolv.conf copied into namespaces when no DNS is given.</summary>
    public string HostResolvConf { get; init; } = "/etc/resolv.conf";
}
