namespace Carton.Network;

/// <summary>
/// Networks as the Host Network Service (HNS/HCN) has them: a <b>network</b> (a bridge with a subnet, or a CNI
/// configuration the user supplies), <b>endpoints</b> on it (an address, a name with aliases, published ports), and
/// <b>namespaces</b> (a network namespace kept alive on its own, with its /etc/hosts, /etc/resolv.conf and
/// /etc/hostname) that endpoints are attached to and compute systems join. A compute system names a namespace, or a
/// network and ports, and the compute service does the rest. Every error is a <see cref="CartonException"/> that
/// names the network, endpoint, plugin or field.
/// </summary>
public interface INetworkService
{
    /// <summary>Creates a network. The name must be free; a subnet must not overlap another network's or the host's routes.</summary>
    Task<NetworkInfo> CreateNetworkAsync(NetworkCreateOptions options, CancellationToken cancellationToken = default);

    /// <summary>Every network, the default one (<see cref="NetworkDefaults.DefaultNetworkName"/>) once it exists.</summary>
    Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(CancellationToken cancellationToken = default);

    /// <summary>A network by name, id or unique id prefix; the default network is created on first use.</summary>
    Task<NetworkInfo> InspectNetworkAsync(string nameOrId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a network that has no endpoints (InvalidState otherwise).</summary>
    Task DeleteNetworkAsync(string nameOrId, CancellationToken cancellationToken = default);

    /// <summary>Creates an endpoint on a network: its name, aliases and ports are reserved; no address yet (HNS
    /// allocates at attach too, as CNI's IPAM does at ADD). A host port that is already taken is refused here.</summary>
    Task<EndpointInfo> CreateEndpointAsync(EndpointCreateOptions options, CancellationToken cancellationToken = default);

    /// <summary>Every endpoint, optionally only those of one network.</summary>
    Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default);

    /// <summary>An endpoint by id or unique id prefix.</summary>
    Task<EndpointInfo> InspectEndpointAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Attaches an endpoint to a namespace: runs the network's plugins (CNI ADD), which give it its
    /// address, and adds its name to the hosts files of every namespace on the network. A failure rolls back (DEL).</summary>
    Task<EndpointInfo> AttachEndpointAsync(string endpointId, string namespaceId, CancellationToken cancellationToken = default);

    /// <summary>Detaches an endpoint from its namespace (CNI DEL with the cached result) and removes its name from
    /// the other hosts files. Detaching a detached endpoint does nothing.</summary>
    Task<EndpointInfo> DetachEndpointAsync(string endpointId, CancellationToken cancellationToken = default);

    /// <summary>Deletes an endpoint, detaching it first; its ports are released.</summary>
    Task DeleteEndpointAsync(string endpointId, CancellationToken cancellationToken = default);

    /// <summary>Creates a namespace: a new network namespace pinned on its own, with its hosts, resolv.conf and hostname files.</summary>
    Task<NamespaceInfo> CreateNamespaceAsync(NamespaceCreateOptions options, CancellationToken cancellationToken = default);

    /// <summary>Every namespace.</summary>
    Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default);

    /// <summary>A namespace by id.</summary>
    Task<NamespaceInfo> InspectNamespaceAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes a namespace, detaching its endpoints first (they stay, detached), and unpins it.</summary>
    Task DeleteNamespaceAsync(string id, CancellationToken cancellationToken = default);
}
