using System.Text.Json.Nodes;
using Carton.Network.Cni;

namespace Carton.Network.Linux;

/// <summary>
/// The CNI configuration list Carton writes for a bridge network, from the Debian plugins only: bridge (the host's
/// bridge, a veth per endpoint, host-local IPAM with the subnet and gateway) and portmap (published ports as NAT
/// rules, with the portMappings capability). What the bridge plugin's ipMasq and the firewall plugin would do per
/// container, Carton does once per network when it is not internal: one masquerade rule
/// (<see cref="NetworkMasquerade"/>) and two forward rules (<see cref="NetworkForwarding"/>). An internal network
/// has no default route, no masquerade, no forward rules and no gateway address on the bridge, and so no portmap:
/// nothing leaves it.
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
                // masquerade is one rule per network (NetworkMasquerade), not a chain per container
                ["ipMasq"] = false,
                ["hairpinMode"] = true,
                ["ipam"] = ipam,
            },
        };
        if (!isInternal)
            plugins.Add((JsonNode)new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true } });
        var list = new JsonObject { ["cniVersion"] = CniVersion, ["name"] = name, ["plugins"] = plugins };
        return list.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The chain one endpoint runs: the network's, less portmap when the endpoint publishes nothing (portmap
    /// without mappings only costs a process and a round of iptables at ADD and at DEL). Only for the lists Carton
    /// writes: a user's list runs as given.</summary>
    public static CniConfigList ForEndpoint(string confList, string driver, bool publishes, string source)
    {
        if (driver != "bridge" || publishes) return CniConfigList.Parse(confList, source);
        var node = JsonNode.Parse(confList)!.AsObject();
        var kept = new JsonArray([.. node["plugins"]!.AsArray().Where(p => p?["type"]?.GetValue<string>() != "portmap").Select(p => p!.DeepClone())]);
        node["plugins"] = kept;
        return CniConfigList.Parse(node.ToJsonString(), source);
    }
}
