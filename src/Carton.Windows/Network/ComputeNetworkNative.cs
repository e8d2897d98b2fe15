using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Carton.Windows.Network;

/// <summary>
/// The Host Compute Network API (computenetwork.dll, header ComputeNetwork.h, Windows 10 1809 / Server 2019 and later):
/// networks, endpoints and namespaces, each created, opened, modified, queried, deleted, closed and enumerated with
/// JSON documents. Signatures as Microsoft documents them (https://learn.microsoft.com/virtualization/api/hcn/reference/hcncreatenetwork
/// and its sibling pages under /virtualization/api/hcn/reference/): every function returns an HRESULT; <c>REFGUID</c> is a
/// GUID passed by reference (<c>in Guid</c>); <c>PCWSTR</c> settings and queries are UTF-16 strings; <c>PWSTR*</c>
/// results and error records are buffers HCN allocates and the caller frees with <c>CoTaskMemFree</c>
/// (<see cref="Marshal.FreeCoTaskMem"/>), which is why they come back as raw pointers. The handles are opaque
/// (<c>HCN_NETWORK</c>, <c>HCN_ENDPOINT</c>, <c>HCN_NAMESPACE</c> are <c>void*</c>) and closed by their Close function.
/// Only <see cref="HostComputeNetworkApi"/> calls these.
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class ComputeNetworkNative
{
    private const string Dll = "computenetwork.dll";

    // ------------------------------------------------------------------ networks

    /// <summary>HRESULT HcnEnumerateNetworks(PCWSTR Query, PWSTR* Networks, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnEnumerateNetworks(string query, out IntPtr networks, out IntPtr errorRecord);

    /// <summary>HRESULT HcnCreateNetwork(REFGUID Id, PCWSTR Settings, PHCN_NETWORK Network, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnCreateNetwork(in Guid id, string settings, out HcnNetworkHandle network, out IntPtr errorRecord);

    /// <summary>HRESULT HcnOpenNetwork(REFGUID Id, PHCN_NETWORK Network, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnOpenNetwork(in Guid id, out HcnNetworkHandle network, out IntPtr errorRecord);

    /// <summary>HRESULT HcnModifyNetwork(HCN_NETWORK Network, PCWSTR Settings, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnModifyNetwork(HcnNetworkHandle network, string settings, out IntPtr errorRecord);

    /// <summary>HRESULT HcnQueryNetworkProperties(HCN_NETWORK Network, PCWSTR Query, PWSTR* Properties, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnQueryNetworkProperties(HcnNetworkHandle network, string query, out IntPtr properties, out IntPtr errorRecord);

    /// <summary>HRESULT HcnDeleteNetwork(REFGUID Id, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnDeleteNetwork(in Guid id, out IntPtr errorRecord);

    /// <summary>HRESULT HcnCloseNetwork(HCN_NETWORK Network): takes the raw handle, as <see cref="HcnNetworkHandle"/>'s release does.</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnCloseNetwork(IntPtr network);

    // ------------------------------------------------------------------ endpoints

    /// <summary>HRESULT HcnEnumerateEndpoints(PCWSTR Query, PWSTR* Endpoints, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnEnumerateEndpoints(string query, out IntPtr endpoints, out IntPtr errorRecord);

    /// <summary>HRESULT HcnCreateEndpoint(HCN_NETWORK Network, REFGUID Id, PCWSTR Settings, PHCN_ENDPOINT Endpoint, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnCreateEndpoint(HcnNetworkHandle network, in Guid id, string settings, out HcnEndpointHandle endpoint, out IntPtr errorRecord);

    /// <summary>HRESULT HcnOpenEndpoint(REFGUID Id, PHCN_ENDPOINT Endpoint, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnOpenEndpoint(in Guid id, out HcnEndpointHandle endpoint, out IntPtr errorRecord);

    /// <summary>HRESULT HcnModifyEndpoint(HCN_ENDPOINT Endpoint, PCWSTR Settings, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnModifyEndpoint(HcnEndpointHandle endpoint, string settings, out IntPtr errorRecord);

    /// <summary>HRESULT HcnQueryEndpointProperties(HCN_ENDPOINT Endpoint, PCWSTR Query, PWSTR* Properties, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnQueryEndpointProperties(HcnEndpointHandle endpoint, string query, out IntPtr properties, out IntPtr errorRecord);

    /// <summary>HRESULT HcnDeleteEndpoint(REFGUID Id, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnDeleteEndpoint(in Guid id, out IntPtr errorRecord);

    /// <summary>HRESULT HcnCloseEndpoint(HCN_ENDPOINT Endpoint).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnCloseEndpoint(IntPtr endpoint);

    // ------------------------------------------------------------------ namespaces

    /// <summary>HRESULT HcnEnumerateNamespaces(PCWSTR Query, PWSTR* Namespaces, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnEnumerateNamespaces(string query, out IntPtr namespaces, out IntPtr errorRecord);

    /// <summary>HRESULT HcnCreateNamespace(REFGUID Id, PCWSTR Settings, PHCN_NAMESPACE Namespace, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnCreateNamespace(in Guid id, string settings, out HcnNamespaceHandle @namespace, out IntPtr errorRecord);

    /// <summary>HRESULT HcnOpenNamespace(REFGUID Id, PHCN_NAMESPACE Namespace, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnOpenNamespace(in Guid id, out HcnNamespaceHandle @namespace, out IntPtr errorRecord);

    /// <summary>HRESULT HcnModifyNamespace(HCN_NAMESPACE Namespace, PCWSTR Settings, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnModifyNamespace(HcnNamespaceHandle @namespace, string settings, out IntPtr errorRecord);

    /// <summary>HRESULT HcnQueryNamespaceProperties(HCN_NAMESPACE Namespace, PCWSTR Query, PWSTR* Properties, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcnQueryNamespaceProperties(HcnNamespaceHandle @namespace, string query, out IntPtr properties, out IntPtr errorRecord);

    /// <summary>HRESULT HcnDeleteNamespace(REFGUID Id, PWSTR* ErrorRecord).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnDeleteNamespace(in Guid id, out IntPtr errorRecord);

    /// <summary>HRESULT HcnCloseNamespace(HCN_NAMESPACE Namespace).</summary>
    [LibraryImport(Dll)]
    internal static partial int HcnCloseNamespace(IntPtr @namespace);
}
