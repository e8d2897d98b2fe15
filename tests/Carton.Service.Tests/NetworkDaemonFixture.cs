using System.Diagnostics;

namespace Carton.Service.Tests;

/// <summary>
/// A daemon inside a network namespace the fixture makes (issue 12: bridges, veths and firewall rules exist only
/// there), with the busybox image imported into its store. Traffic goes only to loopback and to the tests' own
/// containers in that namespace.
/// </summary>
public sealed class NetworkDaemonFixture : DaemonFixture
{
    public const string Image = "carton.test/net:1";
    private static readonly string CartonImage = Path.Combine(RepoRoot, "artifacts/bin/carton-image");
    public static readonly string CartonSystem = Path.Combine(RepoRoot, "artifacts/bin/carton-system");

    protected override bool OwnNetworkNamespace => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (Problem is not null) return;
        var layout = Path.Combine(Dir, "layout");
        var make = Run(Path.Combine(RepoRoot, "scripts", "make-busybox-image.sh"), layout, Image);
        if (make.Exit != 0) throw new InvalidOperationException("make-busybox-image.sh: " + make.Err);
        var import = Run(CartonImage, "--image-root", ImageRoot, "import", layout);
        if (import.Exit != 0) throw new InvalidOperationException("carton image import: " + import.Err);
        // The first ADD of portmap adds its base chains and jump rules to the namespace, for good:
        // make them once here, so that every test's before/after comparison sees only what it made itself.
        var net = Client.Networks;
        await net.CreateNetworkAsync(new Carton.Network.NetworkCreateOptions { Name = "warmup", Subnet = "10.77.250.0/24" });
        var ns = await net.CreateNamespaceAsync(new Carton.Network.NamespaceCreateOptions());
        var ep = await net.CreateEndpointAsync(new Carton.Network.EndpointCreateOptions { Network = "warmup", Ports = [new Carton.Network.PortMapping { HostIp = "127.0.0.1", ContainerPort = 80 }] });
        await net.AttachEndpointAsync(ep.Id, ns.Id);
        await net.DeleteEndpointAsync(ep.Id);
        await net.DeleteNamespaceAsync(ns.Id);
        await net.DeleteNetworkAsync("warmup");
    }

    /// <summary>`carton-system ARGS` against this daemon.</summary>
    public (int Exit, string Out, string Err) System(params string[] args) => Run(CartonSystem, ["--socket", Socket, .. args]);

    public static (int Exit, string Out, string Err) Run(string file, params string[] args) => Run(file, TimeSpan.FromSeconds(90), args);

    /// <summary>The test namespace's links (names), iptables rules (nat and filter) and what the network service
    /// keeps on disk: the figures a leak shows in.</summary>
    public Snapshot Take()
    {
        var links = InTestNamespace("ip", "-o", "link", "show").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0]).Order().ToList();
        var rules = InTestNamespace("iptables-save").Out.Split('\n')
            .Where(l => l.StartsWith("-A", StringComparison.Ordinal)).Order().ToList();
        static List<string> Files(string dir) => Directory.Exists(dir)
            ? [.. Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => f[dir.Length..]).Where(f => !f.EndsWith("/lock", StringComparison.Ordinal) && !f.Contains("last_reserved_ip", StringComparison.Ordinal) && f != "/.lock").Order()]
            : [];
        var pins = File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Contains(NetnsDir + "/", StringComparison.Ordinal)).ToList();
        return new Snapshot(links, rules, Files(NetworkRunRoot), pins);
    }

    public sealed record Snapshot(List<string> Links, List<string> Rules, List<string> RunFiles, List<string> Pins)
    {
        public void AssertSameAs(Snapshot before)
        {
            Assert.Equal(before.Links, Links);
            Assert.Equal(before.Rules, Rules);
            Assert.Equal(before.RunFiles, RunFiles);
            Assert.Equal(before.Pins, Pins);
        }
    }
}

[CollectionDefinition("network-daemon")]
public sealed class NetworkDaemonCollection : ICollectionFixture<NetworkDaemonFixture>;
