using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>One attachment of a container to a network: what the plugins get in CNI_CONTAINERID, CNI_NETNS,
/// CNI_IFNAME and CNI_ARGS, and the capability arguments they get in <c>runtimeConfig</c>.</summary>
public sealed class CniRuntimeConfig
{
    /// <summary>The container's id (CNI_CONTAINERID): not empty, no '/'.</summary>
    public required string ContainerId { get; init; }

    /// <summary>The path of the container's network namespace (CNI_NETNS), "/run/netns/x" or "/proc/PID/ns/net";
    /// may be empty for a DEL whose namespace is gone.</summary>
    public required string NetnsPath { get; init; }

    /// <summary>The interface to create in the container (CNI_IFNAME): not empty, no '/'.</summary>
    public required string IfName { get; init; }

    /// <summary>CNI_ARGS, joined as "K=V;K2=V2" (keys and values must not contain ';' or '=' in the key).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Args { get; init; } = [];

    /// <summary>Capability arguments ("portMappings", "ips", "mac", "bandwidth", "dns", ...): each reaches, in
    /// <c>runtimeConfig</c>, only the plugins whose <c>capabilities</c> declare it true.</summary>
    public IReadOnlyDictionary<string, JsonNode?> CapabilityArgs { get; init; } = new Dictionary<string, JsonNode?>();
}
