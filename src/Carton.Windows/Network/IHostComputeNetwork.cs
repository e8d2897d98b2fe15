namespace Carton.Windows.Network;

/// <summary>
/// The Host Compute Network service in managed terms: the seam between Carton's Windows network service and
/// computenetwork.dll. Objects are named by GUID; settings, queries and properties are HCN's JSON documents (the
/// <see cref="HcnJsonContext"/> types write and read them). Handles stay inside the implementation: each call opens,
/// uses and closes its own, as hcsshim's hcn package does. Every failure is a <see cref="HostComputeNetworkException"/>
/// with the function, the HRESULT by name and HCN's error record. <see cref="HostComputeNetworkApi"/> is the real
/// one (Windows only); tests use a fake that keeps the objects in memory.
/// </summary>
public interface IHostComputeNetwork
{
    /// <summary>The GUIDs of the networks <paramref name="query"/> (a <see cref="HostComputeQuery"/>) selects (HcnEnumerateNetworks).</summary>
    IReadOnlyList<Guid> EnumerateNetworks(string query);

    /// <summary>Creates network <paramref name="id"/> from a <see cref="HostComputeNetwork"/> document and returns its
    /// properties as HCN reports them (HcnCreateNetwork, HcnQueryNetworkProperties, HcnCloseNetwork).</summary>
    string CreateNetwork(Guid id, string settings);

    /// <summary>Network <paramref name="id"/>'s properties (HcnOpenNetwork, HcnQueryNetworkProperties, HcnCloseNetwork).</summary>
    string QueryNetwork(Guid id, string query);

    /// <summary>Applies a ModifyNetworkSettingRequest to network <paramref name="id"/> (HcnModifyNetwork).</summary>
    void ModifyNetwork(Guid id, string settings);

    /// <summary>Deletes network <paramref name="id"/> (HcnDeleteNetwork).</summary>
    void DeleteNetwork(Guid id);

    /// <summary>The GUIDs of the endpoints <paramref name="query"/> selects (HcnEnumerateEndpoints).</summary>
    IReadOnlyList<Guid> EnumerateEndpoints(string query);

    /// <summary>Creates endpoint <paramref name="id"/> on network <paramref name="network"/> from a
    /// <see cref="HostComputeEndpoint"/> document and returns its properties (HcnOpenNetwork, HcnCreateEndpoint,
    /// HcnQueryEndpointProperties): the addresses HNS allocated are there.</summary>
    string CreateEndpoint(Guid network, Guid id, string settings);

    /// <summary>Endpoint <paramref name="id"/>'s properties (HcnOpenEndpoint, HcnQueryEndpointProperties).</summary>
    string QueryEndpoint(Guid id, string query);

    /// <summary>Applies a ModifyEndpointSettingRequest to endpoint <paramref name="id"/> (HcnModifyEndpoint).</summary>
    void ModifyEndpoint(Guid id, string settings);

    /// <summary>Deletes endpoint <paramref name="id"/> (HcnDeleteEndpoint).</summary>
    void DeleteEndpoint(Guid id);

    /// <summary>The GUIDs of the namespaces <paramref name="query"/> selects (HcnEnumerateNamespaces).</summary>
    IReadOnlyList<Guid> EnumerateNamespaces(string query);

    /// <summary>Creates namespace <paramref name="id"/> from a <see cref="HostComputeNamespace"/> document and returns
    /// its properties (HcnCreateNamespace, HcnQueryNamespaceProperties).</summary>
    string CreateNamespace(Guid id, string settings);

    /// <summary>Namespace <paramref name="id"/>'s properties (HcnOpenNamespace, HcnQueryNamespaceProperties).</summary>
    string QueryNamespace(Guid id, string query);

    /// <summary>Applies a <see cref="HcnModifyNamespaceSettingRequest"/> to namespace <paramref name="id"/>: adds or
    /// removes an endpoint (HcnModifyNamespace).</summary>
    void ModifyNamespace(Guid id, string settings);

    /// <summary>Deletes namespace <paramref name="id"/> (HcnDeleteNamespace).</summary>
    void DeleteNamespace(Guid id);
}
