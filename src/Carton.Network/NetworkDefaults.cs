namespace Carton.Network;

/// <summary>Names and places every implementation and front end agrees on.</summary>
public static class NetworkDefaults
{
    /// <summary>The network a system joins when it asks for one by no name: created on first use.</summary>
    public const string DefaultNetworkName = "carton";

    /// <summary>Where network definitions live (persistent).</summary>
    public const string StateRoot = "/var/lib/carton/networks";

    /// <summary>Where attachments live (runtime data: endpoints, namespaces and their files, the CNI result cache,
    /// host-local's IPAM records); gone at reboot with the namespaces themselves.</summary>
    public const string RunRoot = "/run/carton/network";

    /// <summary>Where namespace pins are bind-mounted: one file per namespace id.</summary>
    public const string NetnsDirectory = "/run/carton/netns";

    /// <summary>Where the CNI plugins are looked for, in order (Debian's containernetworking-plugins, then the upstream place).</summary>
    public static readonly IReadOnlyList<string> PluginDirectories = ["/usr/lib/cni", "/opt/cni/bin"];

    /// <summary>The interface name inside the namespace for the first endpoint (eth1, eth2 for the next ones).</summary>
    public const string FirstInterfaceName = "eth0";
}
