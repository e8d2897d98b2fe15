namespace Carton.Network.Linux;

/// <summary>
/// Two accept rules per bridge network at the top of filter FORWARD, marked with the network's name: what comes in
/// from the bridge (<c>-i BRIDGE</c>), and what goes out to it as part of a connection already made
/// (<c>-o BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED</c>), so that a host whose FORWARD policy is DROP still
/// forwards the containers' traffic (Docker keeps the same pair per bridge). They replace the CNI firewall plugin,
/// which did the same per container address: a plugin process and about ten iptables runs at every ADD and DEL, most
/// of the CPU a `docker run --rm` cost beyond the bridge itself when twenty ran at once (docs/benchmarks.md). Like the
/// masquerade rule, they are ensured at a network's first attachment after the service starts and removed with it.
/// Networks stored before this change keep the firewall plugin in their list, and so still work as they did.
/// </summary>
internal static class NetworkForwarding
{
    private static string[] Outbound(string network, string bridge) =>
        ["-i", bridge, "-m", "comment", "--comment", $"carton network {network}", "-j", "ACCEPT"];

    private static string[] Replies(string network, string bridge) =>
        ["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-m", "comment", "--comment", $"carton network {network}", "-j", "ACCEPT"];

    public static void Ensure(string network, string bridge)
    {
        Iptables.Ensure(network, $"forward rule for {bridge}", "filter", "FORWARD", Replies(network, bridge), first: true);
        Iptables.Ensure(network, $"forward rule for {bridge}", "filter", "FORWARD", Outbound(network, bridge), first: true);
    }

    public static void Remove(string network, string bridge)
    {
        Iptables.Remove("filter", "FORWARD", Outbound(network, bridge));
        Iptables.Remove("filter", "FORWARD", Replies(network, bridge));
    }
}
