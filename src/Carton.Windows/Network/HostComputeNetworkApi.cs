using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json;

namespace Carton.Windows.Network;

/// <summary>
/// <see cref="IHostComputeNetwork"/> over computenetwork.dll. Each call opens the handles it needs and closes them
/// before it returns (SafeHandles, so an exception closes them too); every buffer HCN returns (properties, enumerations,
/// error records) is freed with CoTaskMemFree whether the call succeeded or not. A call fails when its HRESULT does,
/// or when it returns an error record that says <c>"Success": false</c> (hcsshim's checkForErrors treats any
/// non-empty record as a failure; a record that says it succeeded is not one).
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class HostComputeNetworkApi : IHostComputeNetwork
{
    // ------------------------------------------------------------------ networks

    /// <inheritdoc/>
    public IReadOnlyList<Guid> EnumerateNetworks(string query)
    {
        var hr = ComputeNetworkNative.HcnEnumerateNetworks(query, out var list, out var record);
        return Guids("HcnEnumerateNetworks", "networks", hr, list, record);
    }

    /// <inheritdoc/>
    public string CreateNetwork(Guid id, string settings)
    {
        var hr = ComputeNetworkNative.HcnCreateNetwork(id, settings, out var handle, out var record);
        using (handle)
        {
            Check("HcnCreateNetwork", Network(id), hr, record);
            return Query(handle, id, HostComputeQuery.Default);
        }
    }

    /// <inheritdoc/>
    public string QueryNetwork(Guid id, string query)
    {
        using var handle = OpenNetwork(id);
        return Query(handle, id, query);
    }

    /// <inheritdoc/>
    public void ModifyNetwork(Guid id, string settings)
    {
        using var handle = OpenNetwork(id);
        var hr = ComputeNetworkNative.HcnModifyNetwork(handle, settings, out var record);
        Check("HcnModifyNetwork", Network(id), hr, record);
    }

    /// <inheritdoc/>
    public void DeleteNetwork(Guid id)
    {
        var hr = ComputeNetworkNative.HcnDeleteNetwork(id, out var record);
        Check("HcnDeleteNetwork", Network(id), hr, record);
    }

    private static HcnNetworkHandle OpenNetwork(Guid id)
    {
        var hr = ComputeNetworkNative.HcnOpenNetwork(id, out var handle, out var record);
        try
        {
            Check("HcnOpenNetwork", Network(id), hr, record);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static string Query(HcnNetworkHandle handle, Guid id, string query)
    {
        var hr = ComputeNetworkNative.HcnQueryNetworkProperties(handle, query, out var properties, out var record);
        return Properties("HcnQueryNetworkProperties", Network(id), hr, properties, record);
    }

    // ------------------------------------------------------------------ endpoints

    /// <inheritdoc/>
    public IReadOnlyList<Guid> EnumerateEndpoints(string query)
    {
        var hr = ComputeNetworkNative.HcnEnumerateEndpoints(query, out var list, out var record);
        return Guids("HcnEnumerateEndpoints", "endpoints", hr, list, record);
    }

    /// <inheritdoc/>
    public string CreateEndpoint(Guid network, Guid id, string settings)
    {
        using var net = OpenNetwork(network);
        var hr = ComputeNetworkNative.HcnCreateEndpoint(net, id, settings, out var handle, out var record);
        using (handle)
        {
            Check("HcnCreateEndpoint", $"{Endpoint(id)} on {Network(network)}", hr, record);
            return Query(handle, id, HostComputeQuery.Default);
        }
    }

    /// <inheritdoc/>
    public string QueryEndpoint(Guid id, string query)
    {
        using var handle = OpenEndpoint(id);
        return Query(handle, id, query);
    }

    /// <inheritdoc/>
    public void ModifyEndpoint(Guid id, string settings)
    {
        using var handle = OpenEndpoint(id);
        var hr = ComputeNetworkNative.HcnModifyEndpoint(handle, settings, out var record);
        Check("HcnModifyEndpoint", Endpoint(id), hr, record);
    }

    /// <inheritdoc/>
    public void DeleteEndpoint(Guid id)
    {
        var hr = ComputeNetworkNative.HcnDeleteEndpoint(id, out var record);
        Check("HcnDeleteEndpoint", Endpoint(id), hr, record);
    }

    private static HcnEndpointHandle OpenEndpoint(Guid id)
    {
        var hr = ComputeNetworkNative.HcnOpenEndpoint(id, out var handle, out var record);
        try
        {
            Check("HcnOpenEndpoint", Endpoint(id), hr, record);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static string Query(HcnEndpointHandle handle, Guid id, string query)
    {
        var hr = ComputeNetworkNative.HcnQueryEndpointProperties(handle, query, out var properties, out var record);
        return Properties("HcnQueryEndpointProperties", Endpoint(id), hr, properties, record);
    }

    // ------------------------------------------------------------------ namespaces

    /// <inheritdoc/>
    public IReadOnlyList<Guid> EnumerateNamespaces(string query)
    {
        var hr = ComputeNetworkNative.HcnEnumerateNamespaces(query, out var list, out var record);
        return Guids("HcnEnumerateNamespaces", "namespaces", hr, list, record);
    }

    /// <inheritdoc/>
    public string CreateNamespace(Guid id, string settings)
    {
        var hr = ComputeNetworkNative.HcnCreateNamespace(id, settings, out var handle, out var record);
        using (handle)
        {
            Check("HcnCreateNamespace", Namespace(id), hr, record);
            return Query(handle, id, HostComputeQuery.Default);
        }
    }

    /// <inheritdoc/>
    public string QueryNamespace(Guid id, string query)
    {
        using var handle = OpenNamespace(id);
        return Query(handle, id, query);
    }

    /// <inheritdoc/>
    public void ModifyNamespace(Guid id, string settings)
    {
        using var handle = OpenNamespace(id);
        var hr = ComputeNetworkNative.HcnModifyNamespace(handle, settings, out var record);
        Check("HcnModifyNamespace", Namespace(id), hr, record);
    }

    /// <inheritdoc/>
    public void DeleteNamespace(Guid id)
    {
        var hr = ComputeNetworkNative.HcnDeleteNamespace(id, out var record);
        Check("HcnDeleteNamespace", Namespace(id), hr, record);
    }

    private static HcnNamespaceHandle OpenNamespace(Guid id)
    {
        var hr = ComputeNetworkNative.HcnOpenNamespace(id, out var handle, out var record);
        try
        {
            Check("HcnOpenNamespace", Namespace(id), hr, record);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static string Query(HcnNamespaceHandle handle, Guid id, string query)
    {
        var hr = ComputeNetworkNative.HcnQueryNamespaceProperties(handle, query, out var properties, out var record);
        return Properties("HcnQueryNamespaceProperties", Namespace(id), hr, properties, record);
    }

    // ------------------------------------------------------------------ results

    private static string Network(Guid id) => $"network {id:D}";
    private static string Endpoint(Guid id) => $"endpoint {id:D}";
    private static string Namespace(Guid id) => $"namespace {id:D}";

    /// <summary>Frees the error record and throws when the call failed.</summary>
    private static void Check(string operation, string subject, int hr, IntPtr record) =>
        HcnResult.ThrowIfFailed(operation, subject, hr, TakeString(record));

    /// <summary>Frees both buffers, then throws on failure or returns the properties.</summary>
    private static string Properties(string operation, string subject, int hr, IntPtr properties, IntPtr record)
    {
        var text = TakeString(properties);
        HcnResult.ThrowIfFailed(operation, subject, hr, TakeString(record));
        return text ?? throw new HostComputeNetworkException(operation, subject + ": no properties returned", unchecked((int)0x80004005), null);
    }

    private static List<Guid> Guids(string operation, string subject, int hr, IntPtr list, IntPtr record)
    {
        var text = TakeString(list);
        HcnResult.ThrowIfFailed(operation, subject, hr, TakeString(record));
        return HcnResult.ParseGuidList(operation, text);
    }

    /// <summary>The UTF-16 string at <paramref name="buffer"/>, which is freed with CoTaskMemFree; null for none.</summary>
    private static string? TakeString(IntPtr buffer)
    {
        if (buffer == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringUni(buffer);
        }
        finally
        {
            Marshal.FreeCoTaskMem(buffer);
        }
    }
}
