using System.Text.Json.Nodes;

namespace Carton.Network.Linux;

/// <summary>
/// The CNI configuration list Carton writes for a bridge network, from the Debian plugins only:
/// bridge (the host's bridge, a veth per endpoint, host-local IPAM with the subnet and gateway), portmap (published
/// ports as NAT rules, with the portMappings capability), firewall (lets the bridge's traffic through a host FORWARD
/// policy of DROP) and tuning (sysctls; a no-op kept as the place for them). An internal network has no default
/// route, no masquerade and no gateway address on the bridge, and so no portmap or firewall: nothing leaves it.
/// </summary>
internal static class BridgeConfList
{
    public const string CniVersion = "1.0.0";

    public static string Build(string name, string bridge, Ipv4Subnet subnet, string gateway, bool isInternal, string ipamDataDir)
    {
        var ipam = new JsonObject
        {
            ["type"] = "host-local",
            ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet.ToString(), ["gateway"] = gateway })),
            ["dataDir"] = ipamDataDir,
        };
        if (!isInternal) ipam["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" });
        var plugins = new JsonArray
        {
            (JsonNode)new JsonObject
            {
                ["type"] = "bridge",
                ["bridge"] = bridge,
                ["isGateway"] = !isInternal,
                ["ipMasq"] = !isInternal,
                ["hairpinMode"] = true,
                ["ipam"] = ipam,
            },
        };
        if (!isInternal)
        {
            plugins.Add((JsonNode)new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true } });
            plugins.Add((JsonNode)new JsonObject { ["type"] = "firewall", ["backend"] = "iptables" });
        }
        plugins.Add((JsonNode)new JsonObject { ["type"] = "tuning" });
        var list = new JsonObject { ["cniVersion"] = CniVersion, ["name"] = name, ["plugins"] = plugins };
        return list.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The loopback list run once per namespace (brings lo up): CNI's own way, as CRI runtimes do.</summary>
    public static string Loopback() =>
        $$"""{"cniVersion":"{{CniVersion}}","name":"carton-loopback","plugins":[{"type":"loopback"}]}""";
}
