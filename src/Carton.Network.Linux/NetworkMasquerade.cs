namespace Carton.Network.Linux;

/// <summary>
/// One masquerade rule per bridge network (<c>-s SUBNET ! -d SUBNET -j MASQUERADE</c> in nat POSTROUTING, marked
/// with the network's name), instead of the bridge plugin's ipMasq, which makes a chain and rules per container at
/// every ADD and removes them at every DEL: about a dozen iptables runs per attachment that the network-wide rule
/// (podman's netavark does the same) makes unnecessary. The rule is ensured at a network's first attachment after
/// the service starts (rules do not survive a reboot; networks do) and removed with the network.
/// </summary>
internal static class NetworkMasquerade
{
    private static string[] Rule(string network, string subnet) =>
        ["-s", subnet, "!", "-d", subnet, "-m", "comment", "--comment", $"carton network {network}", "-j", "MASQUERADE"];

    public static void Ensure(string network, string subnet) =>
        Iptables.Ensure(network, $"masquerade rule for {subnet}", "nat", "POSTROUTING", Rule(network, subnet));

    public static void Remove(string network, string subnet) => Iptables.Remove("nat", "POSTROUTING", Rule(network, subnet));
}
