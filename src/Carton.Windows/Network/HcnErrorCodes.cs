namespace Carton.Windows.Network;

/// <summary>
/// HCN's HRESULTs (winerror.h, facility 0x3B), with the names and descriptions of Microsoft's table
/// (https://learn.microsoft.com/virtualization/api/hcn/reference/hcnhresult), a few generic HRESULTs HNS is known to
/// return (ERROR_NOT_FOUND for a namespace it does not know, as hcsshim's hcn/hcnerrors.go checks; access denied; not
/// implemented), and the <see cref="ErrorKind"/> each one means for a caller.
/// </summary>
public static class HcnErrorCodes
{
    /// <summary>The network was not found.</summary>
    public const int NetworkNotFound = unchecked((int)0x803B0001);
    /// <summary>The endpoint was not found.</summary>
    public const int EndpointNotFound = unchecked((int)0x803B0002);
    /// <summary>The network does not have a subnet for this endpoint.</summary>
    public const int SubnetNotFound = unchecked((int)0x803B0005);
    /// <summary>The provided network configuration is invalid or missing parameters.</summary>
    public const int InvalidNetwork = unchecked((int)0x803B000A);
    /// <summary>The provided endpoint configuration is invalid or missing parameters.</summary>
    public const int InvalidEndpoint = unchecked((int)0x803B000C);
    /// <summary>A network with this name already exists.</summary>
    public const int NetworkAlreadyExists = unchecked((int)0x803B0010);
    /// <summary>The specified port already exists (a host port another endpoint publishes).</summary>
    public const int PortAlreadyExists = unchecked((int)0x803B0013);
    /// <summary>This endpoint is already attached to the switch.</summary>
    public const int EndpointAlreadyAttached = unchecked((int)0x803B0014);
    /// <summary>Port mapping is not supported on the given network.</summary>
    public const int MappingNotSupported = unchecked((int)0x803B0016);
    /// <summary>Invalid JSON document string.</summary>
    public const int InvalidJson = unchecked((int)0x803B001B);
    /// <summary>IP address is either invalid or not part of any configured subnet(s).</summary>
    public const int InvalidIp = unchecked((int)0x803B001E);
    /// <summary>Operation cannot be performed while service is stopping.</summary>
    public const int ManagerStopped = unchecked((int)0x803B0020);
    /// <summary>The endpoint is already part of a network namespace.</summary>
    public const int EndpointNamespaceAlreadyExists = unchecked((int)0x803B002B);
    /// <summary>The specified entity cannot be removed while it still has references.</summary>
    public const int EntityHasReferences = unchecked((int)0x803B002C);
    /// <summary>HRESULT_FROM_WIN32(ERROR_NOT_FOUND): "Element not found", what HNS answers for a namespace it does not know.</summary>
    public const int ElementNotFound = unchecked((int)0x80070490);
    /// <summary>E_ACCESSDENIED: HCN is for Administrators.</summary>
    public const int AccessDenied = unchecked((int)0x80070005);
    /// <summary>E_NOTIMPL: an HNS too old for the request.</summary>
    public const int NotImplemented = unchecked((int)0x80004001);

    private static readonly Dictionary<int, (string Name, string Description, ErrorKind Kind)> Table = Build();

    private static Dictionary<int, (string, string, ErrorKind)> Build()
    {
        var t = new Dictionary<int, (string, string, ErrorKind)>();
        void Add(uint code, string name, string description, ErrorKind kind) => t[unchecked((int)code)] = (name, description, kind);
        Add(0x803B0001, "HCN_E_NETWORK_NOT_FOUND", "the network was not found", ErrorKind.NotFound);
        Add(0x803B0002, "HCN_E_ENDPOINT_NOT_FOUND", "the endpoint was not found", ErrorKind.NotFound);
        Add(0x803B0003, "HCN_E_LAYER_NOT_FOUND", "the network's underlying layer was not found", ErrorKind.NotFound);
        Add(0x803B0004, "HCN_E_SWITCH_NOT_FOUND", "the virtual switch was not found", ErrorKind.NotFound);
        Add(0x803B0005, "HCN_E_SUBNET_NOT_FOUND", "the network does not have a subnet for this endpoint", ErrorKind.InvalidDocument);
        Add(0x803B0006, "HCN_E_ADAPTER_NOT_FOUND", "an adapter was not found", ErrorKind.NotFound);
        Add(0x803B0007, "HCN_E_PORT_NOT_FOUND", "the switch-port was not found", ErrorKind.NotFound);
        Add(0x803B0008, "HCN_E_POLICY_NOT_FOUND", "an expected policy was not found", ErrorKind.NotFound);
        Add(0x803B0009, "HCN_E_VFP_PORTSETTING_NOT_FOUND", "a required VFP port setting was not found", ErrorKind.NotFound);
        Add(0x803B000A, "HCN_E_INVALID_NETWORK", "the network configuration is invalid or missing parameters", ErrorKind.InvalidDocument);
        Add(0x803B000B, "HCN_E_INVALID_NETWORK_TYPE", "invalid network type", ErrorKind.InvalidDocument);
        Add(0x803B000C, "HCN_E_INVALID_ENDPOINT", "the endpoint configuration is invalid or missing parameters", ErrorKind.InvalidDocument);
        Add(0x803B000D, "HCN_E_INVALID_POLICY", "the policy configuration is invalid or missing parameters", ErrorKind.InvalidDocument);
        Add(0x803B000E, "HCN_E_INVALID_POLICY_TYPE", "invalid policy type", ErrorKind.InvalidDocument);
        Add(0x803B000F, "HCN_E_INVALID_REMOTE_ENDPOINT_OPERATION", "the operation is invalid for a remote endpoint", ErrorKind.InvalidState);
        Add(0x803B0010, "HCN_E_NETWORK_ALREADY_EXISTS", "a network with this name already exists", ErrorKind.AlreadyExists);
        Add(0x803B0011, "HCN_E_LAYER_ALREADY_EXISTS", "the layer already exists", ErrorKind.AlreadyExists);
        Add(0x803B0012, "HCN_E_POLICY_ALREADY_EXISTS", "policy information already exists on this object", ErrorKind.AlreadyExists);
        Add(0x803B0013, "HCN_E_PORT_ALREADY_EXISTS", "the specified port already exists", ErrorKind.AlreadyExists);
        Add(0x803B0014, "HCN_E_ENDPOINT_ALREADY_ATTACHED", "the endpoint is already attached to the switch", ErrorKind.InvalidState);
        Add(0x803B0015, "HCN_E_REQUEST_UNSUPPORTED", "the request is unsupported", ErrorKind.Unsupported);
        Add(0x803B0016, "HCN_E_MAPPING_NOT_SUPPORTED", "port mapping is not supported on the given network", ErrorKind.Unsupported);
        Add(0x803B0017, "HCN_E_DEGRADED_OPERATION", "an operation was attempted on a degraded object", ErrorKind.InvalidState);
        Add(0x803B0018, "HCN_E_SHARED_SWITCH_MODIFICATION", "cannot modify a switch shared by multiple networks", ErrorKind.InvalidState);
        Add(0x803B0019, "HCN_E_GUID_CONVERSION_FAILURE", "failed to interpret a parameter as a GUID", ErrorKind.InvalidDocument);
        Add(0x803B001A, "HCN_E_REGKEY_FAILURE", "failed to process registry key", ErrorKind.Internal);
        Add(0x803B001B, "HCN_E_INVALID_JSON", "invalid JSON document string", ErrorKind.InvalidDocument);
        Add(0x803B001C, "HCN_E_INVALID_JSON_REFERENCE", "the reference is invalid in the JSON document", ErrorKind.InvalidDocument);
        Add(0x803B001D, "HCN_E_ENDPOINT_SHARING_DISABLED", "endpoint sharing is disabled", ErrorKind.Unsupported);
        Add(0x803B001E, "HCN_E_INVALID_IP", "the IP address is invalid or not part of any configured subnet", ErrorKind.InvalidDocument);
        Add(0x803B001F, "HCN_E_SWITCH_EXTENSION_NOT_FOUND", "the switch extension does not exist on this switch", ErrorKind.NotFound);
        Add(0x803B0020, "HCN_E_MANAGER_STOPPED", "the service is stopping", ErrorKind.Unavailable);
        Add(0x803B0021, "GCN_E_MODULE_NOT_FOUND", "the service module was not found", ErrorKind.Internal);
        Add(0x803B0022, "GCN_E_NO_REQUEST_HANDLERS", "no request handler for the JSON request", ErrorKind.Unsupported);
        Add(0x803B0023, "GCN_E_REQUEST_UNSUPPORTED", "the request is unsupported", ErrorKind.Unsupported);
        Add(0x803B0024, "GCN_E_RUNTIMEKEYS_FAILED", "adding runtime keys to the container failed", ErrorKind.Internal);
        Add(0x803B0025, "GCN_E_NETADAPTER_TIMEOUT", "timed out waiting for the network adapter", ErrorKind.Timeout);
        Add(0x803B0026, "GCN_E_NETADAPTER_NOT_FOUND", "network adapter not found", ErrorKind.NotFound);
        Add(0x803B0027, "GCN_E_NETCOMPARTMENT_NOT_FOUND", "network compartment not found", ErrorKind.NotFound);
        Add(0x803B0028, "GCN_E_NETINTERFACE_NOT_FOUND", "network interface not found", ErrorKind.NotFound);
        Add(0x803B0029, "GCN_E_DEFAULTNAMESPACE_EXISTS", "the default namespace already exists", ErrorKind.AlreadyExists);
        Add(0x803B002A, "HCN_E_ICS_DISABLED", "the Internet Connection Sharing service (SharedAccess) is disabled", ErrorKind.Unsupported);
        Add(0x803B002B, "HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS", "the endpoint is already part of a network namespace", ErrorKind.InvalidState);
        Add(0x803B002C, "HCN_E_ENTITY_HAS_REFERENCES", "the entity cannot be removed while it still has references", ErrorKind.InvalidState);
        Add(0x803B002D, "HCN_E_INVALID_INTERNAL_PORT", "the internal port must exist and cannot be zero", ErrorKind.InvalidDocument);
        Add(0x803B002E, "HCN_E_NAMESPACE_ATTACH_FAILED", "attaching the namespace failed", ErrorKind.Internal);
        Add(0x803B002F, "HCN_E_ADDR_INVALID_OR_RESERVED", "an address is invalid or reserved", ErrorKind.InvalidDocument);
        Add(0x803B0030, "HCN_E_INVALID_PREFIX", "the prefix is invalid", ErrorKind.InvalidDocument);
        Add(0x803B0031, "HCN_E_OBJECT_USED_AFTER_UNLOAD", "a call was made on an object that was torn down", ErrorKind.InvalidState);
        Add(0x803B0032, "HCN_E_INVALID_SUBNET", "the subnet configuration is invalid or missing parameters", ErrorKind.InvalidDocument);
        Add(0x803B0033, "HCN_E_INVALID_IP_SUBNET", "the IP subnet configuration is invalid or missing parameters", ErrorKind.InvalidDocument);
        Add(0x803B0034, "HCN_E_ENDPOINT_NOT_ATTACHED", "the endpoint must be attached to complete the operation", ErrorKind.InvalidState);
        Add(0x803B0035, "HCN_E_ENDPOINT_NOT_LOCAL", "the endpoint must be local to complete the operation", ErrorKind.InvalidState);
        Add(0x803B0036, "HCN_INTERFACEPARAMETERS_ALREADY_APPLIED", "cannot apply more than one InterfaceParameters policy", ErrorKind.AlreadyExists);
        Add(0x803B0037, "HCN_E_VFP_NOT_ALLOWED", "a network of this type cannot be created because VFP is not available", ErrorKind.Unsupported);
        Add(0x80070490, "ERROR_NOT_FOUND", "element not found", ErrorKind.NotFound);
        Add(0x80070005, "E_ACCESSDENIED", "access denied (HCN needs an Administrator)", ErrorKind.PermissionDenied);
        Add(0x80004001, "E_NOTIMPL", "not implemented by this version of HNS", ErrorKind.Unsupported);
        Add(0x80070057, "E_INVALIDARG", "an argument is invalid", ErrorKind.InvalidDocument);
        Add(0x8007000E, "E_OUTOFMEMORY", "out of memory", ErrorKind.ResourceExhausted);
        return t;
    }

    /// <summary>The HRESULT's name ("HCN_E_NETWORK_NOT_FOUND"), or its hex form ("0x80004005") when it has no name here.</summary>
    public static string NameOf(int hresult) => Table.TryGetValue(hresult, out var row) ? row.Name : Hex(hresult);

    /// <summary>What the HRESULT says, in words; null when it is not one of those listed.</summary>
    public static string? DescriptionOf(int hresult) => Table.TryGetValue(hresult, out var row) ? row.Description : null;

    /// <summary>The error kind the HRESULT means: <see cref="ErrorKind.Internal"/> for one not listed.</summary>
    public static ErrorKind KindOf(int hresult) => Table.TryGetValue(hresult, out var row) ? row.Kind : ErrorKind.Internal;

    /// <summary>"0x803B0001".</summary>
    public static string Hex(int hresult) => "0x" + unchecked((uint)hresult).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
}
