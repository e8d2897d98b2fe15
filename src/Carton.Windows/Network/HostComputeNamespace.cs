using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>HCN's <c>HostComputeNamespace</c>: a network compartment, which endpoints are added to and a container
/// joins (its GUID is what goes into an HCS document's Networking.Namespace and an OCI spec's
/// windows.network.networkNamespace).</summary>
public sealed class HostComputeNamespace
{
    /// <summary>The namespace's GUID.</summary>
    [JsonPropertyName("ID")] public string? Id { get; set; }
    /// <summary>The compartment number HNS gave it.</summary>
    [JsonPropertyName("NamespaceId")] public uint? NamespaceId { get; set; }
    /// <summary><see cref="HcnNamespaceTypes"/>.</summary>
    [JsonPropertyName("Type")] public string? Type { get; set; }
    /// <summary>What is in it: endpoints and containers.</summary>
    [JsonPropertyName("Resources")] public List<HcnNamespaceResource>? Resources { get; set; }
    /// <summary>The schema version (2.0).</summary>
    [JsonPropertyName("SchemaVersion")] public HcnSchemaVersion? SchemaVersion { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>NamespaceType</c> values.</summary>
public static class HcnNamespaceTypes
{
    /// <summary>A compartment on the host, for process-isolated containers.</summary>
    public const string Host = "Host";
    /// <summary>The host's default compartment.</summary>
    public const string HostDefault = "HostDefault";
    /// <summary>A compartment in a utility VM (Hyper-V isolation).</summary>
    public const string Guest = "Guest";
    /// <summary>A utility VM's default compartment.</summary>
    public const string GuestDefault = "GuestDefault";
}

/// <summary>HCN's <c>NamespaceResource</c>: {"Type": "Endpoint" or "Container", "Data": {"Id": GUID}}.</summary>
public sealed class HcnNamespaceResource
{
    /// <summary>"Endpoint" or "Container".</summary>
    [JsonPropertyName("Type")] public string? Type { get; set; }
    /// <summary>The resource (<see cref="HcnNamespaceResourceData"/>).</summary>
    [JsonPropertyName("Data")] public HcnNamespaceResourceData? Data { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>NamespaceResourceEndpoint</c> / <c>NamespaceResourceContainer</c>: the resource's id.</summary>
public sealed class HcnNamespaceResourceData
{
    /// <summary>The endpoint's GUID or the container's id.</summary>
    [JsonPropertyName("ID")] public string? Id { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>HCN's <c>ModifyNamespaceSettingRequest</c>, for HcnModifyNamespace: add or remove an endpoint.</summary>
public sealed class HcnModifyNamespaceSettingRequest
{
    /// <summary>"Endpoint" or "Container".</summary>
    [JsonPropertyName("ResourceType")] public string? ResourceType { get; set; }
    /// <summary>"Add", "Remove", "Update" or "Refresh".</summary>
    [JsonPropertyName("RequestType")] public string? RequestType { get; set; }
    /// <summary>For an endpoint: <see cref="HcnNamespaceEndpointRequest"/>.</summary>
    [JsonPropertyName("Settings")] public HcnNamespaceEndpointRequest? Settings { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The request that adds (<paramref name="add"/>) or removes an endpoint.</summary>
    public static HcnModifyNamespaceSettingRequest Endpoint(Guid endpoint, bool add) => new()
    {
        ResourceType = "Endpoint",
        RequestType = add ? "Add" : "Remove",
        Settings = new HcnNamespaceEndpointRequest { EndpointId = endpoint.ToString("D") },
    };
}

/// <summary>HCN's <c>NamespaceEndpointRequest</c>: {"EndpointId": GUID}.</summary>
public sealed class HcnNamespaceEndpointRequest
{
    /// <summary>The endpoint's GUID.</summary>
    [JsonPropertyName("EndpointId")] public string? EndpointId { get; set; }
    /// <summary>Unknown fields, kept.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
