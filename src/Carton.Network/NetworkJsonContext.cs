using System.Text.Json.Serialization;

namespace Carton.Network;

/// <summary>Source-generated JSON for the contract's models (the daemon, the client and the stored records).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(NetworkCreateOptions))]
[JsonSerializable(typeof(NetworkInfo))]
[JsonSerializable(typeof(List<NetworkInfo>))]
[JsonSerializable(typeof(EndpointCreateOptions))]
[JsonSerializable(typeof(EndpointInfo))]
[JsonSerializable(typeof(List<EndpointInfo>))]
[JsonSerializable(typeof(NamespaceCreateOptions))]
[JsonSerializable(typeof(NamespaceInfo))]
[JsonSerializable(typeof(List<NamespaceInfo>))]
[JsonSerializable(typeof(PortMapping))]
public sealed partial class NetworkJsonContext : JsonSerializerContext;
