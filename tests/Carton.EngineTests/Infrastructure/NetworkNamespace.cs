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

    /// <summary>The command line that runs <paramref name="args"/> inside the namespace.</summary>
    public string[] Wrap(params string[] args) => ["ip", "netns", "exec", Name, .. args];

    public void Dispose() => Host.Run("ip", "netns", "delete", Name);
}
