namespace Carton.EngineTests.Infrastructure;

/// <summary>
/// A named network namespace (ip netns) in which an engine runs, so that its bridges, veths, iptables rules and
/// container traffic stay inside it: the tests only send traffic between their own containers there.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    public string Name { get; }

    public NetworkNamespace(string prefix)
    {
        Name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        Host.Must("ip", "netns", "add", Name);
        Host.Must("ip", "-n", Name, "link", "set", "lo", "up");
    }

    /// <summary>The command line that runs <paramref name="args"/> inside the namespace. nsenter, not `ip netns exec`:
    /// that one also gives the command a new mount namespace with a fresh /sys, in which the cgroup file systems
    /// under /sys/fs/cgroup are gone (dockerd then refuses to start: "Devices cgroup isn't mounted").</summary>
    public string[] Wrap(params string[] args) => ["nsenter", "--net=/run/netns/" + Name, "--", .. args];

    public void Dispose() => Host.Run("ip", "netns", "delete", Name);
}
