using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Windows.Network;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>
/// HCN in memory, for the service's tests: networks, endpoints and namespaces kept as the JSON documents HCN would
/// hold, every call recorded with the document it carried, and HCN's refusals with HCN's HRESULTs (a name taken, an
/// object not found, a host port already mapped, an entity still referenced). A failure can be queued for any
/// operation, so every error path can be driven.
/// </summary>
internal sealed class FakeHostComputeNetwork : IHostComputeNetwork
{
    public sealed record Call(string Operation, Guid Id, string? Json);

    public List<Call> Calls { get; } = [];
    public Dictionary<Guid, JsonObject> Networks { get; } = [];
    public Dictionary<Guid, JsonObject> Endpoints { get; } = [];
    public Dictionary<Guid, JsonObject> Namespaces { get; } = [];
    private readonly Dictionary<string, Queue<(int HResult, string? Record)>> _failures = new(StringComparer.Ordinal);
    private int _nextMac = 0x10;

    /// <summary>The next call of <paramref name="operation"/> ("HcnCreateEndpoint") fails with <paramref name="hresult"/>.</summary>
    public void FailNext(string operation, int hresult, string? record = null)
    {
        if (!_failures.TryGetValue(operation, out var q)) _failures[operation] = q = new();
        q.Enqueue((hresult, record));
    }

    /// <summary>The operations called, in order ("HcnCreateEndpoint", "HcnModifyNamespace"...).</summary>
    public List<string> Operations => [.. Calls.Select(c => c.Operation)];

    private void Enter(string operation, Guid id, string? json, string subject)
    {
        Calls.Add(new Call(operation, id, json));
        if (_failures.TryGetValue(operation, out var q) && q.Count > 0)
        {
            var (hr, record) = q.Dequeue();
            throw new HostComputeNetworkException(operation, subject, hr, record);
        }
    }

    private static HostComputeNetworkException Fail(string operation, string subject, int hr, string error) =>
        new(operation, subject, hr, $"{{\"Success\":false,\"Error\":\"{error}\",\"ErrorCode\":{unchecked((uint)hr)}}}");

    private static string Key(Guid id) => id.ToString("D");

    // ------------------------------------------------------------------ networks

    public IReadOnlyList<Guid> EnumerateNetworks(string query)
    {
        Enter("HcnEnumerateNetworks", Guid.Empty, query, "networks");
        return [.. Networks.Keys];
    }

    public string CreateNetwork(Guid id, string settings)
    {
        Enter("HcnCreateNetwork", id, settings, $"network {Key(id)}");
        var doc = JsonNode.Parse(settings)!.AsObject();
        var name = doc["Name"]?.GetValue<string>();
        if (Networks.ContainsKey(id) || Networks.Values.Any(n => n["Name"]?.GetValue<string>() == name))
            throw Fail("HcnCreateNetwork", $"network {Key(id)}", HcnErrorCodes.NetworkAlreadyExists, "A network with this name already exists");
        doc["ID"] = Key(id);
        Networks[id] = doc;
        return doc.ToJsonString();
    }

    public string QueryNetwork(Guid id, string query)
    {
        Enter("HcnQueryNetworkProperties", id, query, $"network {Key(id)}");
        return Networks.TryGetValue(id, out var doc) ? doc.ToJsonString() : throw Fail("HcnOpenNetwork", $"network {Key(id)}", HcnErrorCodes.NetworkNotFound, "Network not found");
    }

    public void ModifyNetwork(Guid id, string settings)
    {
        Enter("HcnModifyNetwork", id, settings, $"network {Key(id)}");
        if (!Networks.ContainsKey(id)) throw Fail("HcnOpenNetwork", $"network {Key(id)}", HcnErrorCodes.NetworkNotFound, "Network not found");
    }

    public void DeleteNetwork(Guid id)
    {
        Enter("HcnDeleteNetwork", id, null, $"network {Key(id)}");
        if (!Networks.ContainsKey(id)) throw Fail("HcnDeleteNetwork", $"network {Key(id)}", HcnErrorCodes.NetworkNotFound, "Network not found");
        if (Endpoints.Values.Any(e => e["HostComputeNetwork"]?.GetValue<string>() == Key(id)))
            throw Fail("HcnDeleteNetwork", $"network {Key(id)}", HcnErrorCodes.EntityHasReferences, "The network has endpoints");
        Networks.Remove(id);
    }

    // ------------------------------------------------------------------ endpoints

    public IReadOnlyList<Guid> EnumerateEndpoints(string query)
    {
        Enter("HcnEnumerateEndpoints", Guid.Empty, query, "endpoints");
        return [.. Endpoints.Keys];
    }

    public string CreateEndpoint(Guid network, Guid id, string settings)
    {
        Enter("HcnCreateEndpoint", id, settings, $"endpoint {Key(id)}");
        if (!Networks.TryGetValue(network, out var net))
            throw Fail("HcnOpenNetwork", $"network {Key(network)}", HcnErrorCodes.NetworkNotFound, "Network not found");
        if (Endpoints.ContainsKey(id)) throw Fail("HcnCreateEndpoint", $"endpoint {Key(id)}", HcnErrorCodes.InvalidEndpoint, "An endpoint with this ID exists");
        var doc = JsonNode.Parse(settings)!.AsObject();
        // WinNAT refuses a host port another endpoint maps (HCN_E_PORT_ALREADY_EXISTS)
        foreach (var (proto, port) in MappedPorts(doc))
            if (Endpoints.Values.SelectMany(MappedPorts).Contains((proto, port)))
                throw Fail("HcnCreateEndpoint", $"endpoint {Key(id)}", HcnErrorCodes.PortAlreadyExists, $"port {port} already exists");
        var subnet = net["Ipams"]![0]!["Subnets"]![0]!;
        var prefix = subnet["IpAddressPrefix"]!.GetValue<string>();
        var (baseAddress, length) = (prefix.Split('/')[0], int.Parse(prefix.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture));
        if (doc["IpConfigurations"] is null)
        {
            // HNS's static IPAM: the next free host address after the gateway (.1)
            var octets = baseAddress.Split('.').Select(o => int.Parse(o, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var used = Endpoints.Values.Select(e => e["IpConfigurations"]?[0]?["IpAddress"]?.GetValue<string>()).ToHashSet();
            var host = 2;
            while (used.Contains($"{octets[0]}.{octets[1]}.{octets[2]}.{host}")) host++;
            doc["IpConfigurations"] = new JsonArray(new JsonObject { ["IpAddress"] = $"{octets[0]}.{octets[1]}.{octets[2]}.{host}", ["PrefixLength"] = length });
        }
        doc["MacAddress"] ??= $"00-15-5D-00-00-{_nextMac++:X2}";
        if (subnet["Routes"] is JsonArray routes) doc["Routes"] = routes.DeepClone();
        doc["ID"] = Key(id);
        doc["State"] = 1; // a field Carton does not model: must be kept, never fatal
        Endpoints[id] = doc;
        return doc.ToJsonString();
    }

    private static IEnumerable<(int Protocol, int Port)> MappedPorts(JsonObject endpoint) =>
        (endpoint["Policies"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(p => p["Type"]?.GetValue<string>() == "PortMapping")
            .Select(p => (p["Settings"]!["Protocol"]!.GetValue<int>(), p["Settings"]!["ExternalPort"]!.GetValue<int>()));

    public string QueryEndpoint(Guid id, string query)
    {
        Enter("HcnQueryEndpointProperties", id, query, $"endpoint {Key(id)}");
        return Endpoints.TryGetValue(id, out var doc) ? doc.ToJsonString() : throw Fail("HcnOpenEndpoint", $"endpoint {Key(id)}", HcnErrorCodes.EndpointNotFound, "Endpoint not found");
    }

    public void ModifyEndpoint(Guid id, string settings)
    {
        Enter("HcnModifyEndpoint", id, settings, $"endpoint {Key(id)}");
        if (!Endpoints.ContainsKey(id)) throw Fail("HcnOpenEndpoint", $"endpoint {Key(id)}", HcnErrorCodes.EndpointNotFound, "Endpoint not found");
    }

    public void DeleteEndpoint(Guid id)
    {
        Enter("HcnDeleteEndpoint", id, null, $"endpoint {Key(id)}");
        if (!Endpoints.TryGetValue(id, out var doc)) throw Fail("HcnDeleteEndpoint", $"endpoint {Key(id)}", HcnErrorCodes.EndpointNotFound, "Endpoint not found");
        if (doc["HostComputeNamespace"] is not null)
            throw Fail("HcnDeleteEndpoint", $"endpoint {Key(id)}", HcnErrorCodes.EntityHasReferences, "The endpoint is in a namespace");
        Endpoints.Remove(id);
    }

    // ------------------------------------------------------------------ namespaces

    public IReadOnlyList<Guid> EnumerateNamespaces(string query)
    {
        Enter("HcnEnumerateNamespaces", Guid.Empty, query, "namespaces");
        return [.. Namespaces.Keys];
    }

    public string CreateNamespace(Guid id, string settings)
    {
        Enter("HcnCreateNamespace", id, settings, $"namespace {Key(id)}");
        if (Namespaces.ContainsKey(id)) throw Fail("HcnCreateNamespace", $"namespace {Key(id)}", HcnErrorCodes.InvalidJson, "A namespace with this ID exists");
        var doc = JsonNode.Parse(settings)!.AsObject();
        doc["ID"] = Key(id);
        doc["NamespaceId"] = 10 + Namespaces.Count;
        Namespaces[id] = doc;
        return doc.ToJsonString();
    }

    public string QueryNamespace(Guid id, string query)
    {
        Enter("HcnQueryNamespaceProperties", id, query, $"namespace {Key(id)}");
        return Namespaces.TryGetValue(id, out var doc) ? doc.ToJsonString() : throw Fail("HcnOpenNamespace", $"namespace {Key(id)}", HcnErrorCodes.ElementNotFound, "Element not found.");
    }

    public void ModifyNamespace(Guid id, string settings)
    {
        Enter("HcnModifyNamespace", id, settings, $"namespace {Key(id)}");
        if (!Namespaces.TryGetValue(id, out var ns)) throw Fail("HcnOpenNamespace", $"namespace {Key(id)}", HcnErrorCodes.ElementNotFound, "Element not found.");
        var request = JsonSerializer.Deserialize(settings, HcnJsonContext.Default.HcnModifyNamespaceSettingRequest)!;
        var endpointId = Guid.Parse(request.Settings!.EndpointId!);
        if (!Endpoints.TryGetValue(endpointId, out var endpoint))
            throw Fail("HcnModifyNamespace", $"namespace {Key(id)}", HcnErrorCodes.EndpointNotFound, "Endpoint not found");
        var resources = ns["Resources"] as JsonArray ?? (JsonArray)(ns["Resources"] = new JsonArray());
        var existing = resources.OfType<JsonObject>().FirstOrDefault(r => r["Data"]?["ID"]?.GetValue<string>() == Key(endpointId));
        switch (request.RequestType)
        {
            case "Add":
                if (endpoint["HostComputeNamespace"] is not null)
                    throw Fail("HcnModifyNamespace", $"namespace {Key(id)}", HcnErrorCodes.EndpointNamespaceAlreadyExists, "The endpoint is already in a namespace");
                resources.Add(new JsonObject { ["Type"] = "Endpoint", ["Data"] = new JsonObject { ["ID"] = Key(endpointId) } });
                endpoint["HostComputeNamespace"] = Key(id);
                break;
            case "Remove":
                if (existing is null) throw Fail("HcnModifyNamespace", $"namespace {Key(id)}", HcnErrorCodes.ElementNotFound, "Element not found.");
                resources.Remove(existing);
                endpoint.Remove("HostComputeNamespace");
                break;
            default:
                throw Fail("HcnModifyNamespace", $"namespace {Key(id)}", HcnErrorCodes.InvalidJson, $"request type {request.RequestType}");
        }
    }

    public void DeleteNamespace(Guid id)
    {
        Enter("HcnDeleteNamespace", id, null, $"namespace {Key(id)}");
        if (!Namespaces.TryGetValue(id, out var ns)) throw Fail("HcnDeleteNamespace", $"namespace {Key(id)}", HcnErrorCodes.ElementNotFound, "Element not found.");
        if (ns["Resources"] is JsonArray { Count: > 0 })
            throw Fail("HcnDeleteNamespace", $"namespace {Key(id)}", HcnErrorCodes.EntityHasReferences, "The namespace has endpoints");
        Namespaces.Remove(id);
    }
}
