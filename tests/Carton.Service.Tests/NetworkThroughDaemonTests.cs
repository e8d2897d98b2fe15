using Carton.Client;
using Carton.Compute;
using Carton.Network;

namespace Carton.Service.Tests;

/// <summary>
/// Issue 12 end to end: carton serve inside the test's own network namespace, the real CNI plugins from
/// /usr/lib/cni, systems made from the busybox image. Each test checks that what it made is gone at its end (links,
/// iptables rules, pins, endpoint/namespace/cache/IPAM files).
/// </summary>
[Collection("network-daemon")]
public sealed class NetworkThroughDaemonTests(NetworkDaemonFixture daemon)
{
    private NetworkClient Net => daemon.Client.Networks;

    private static string Id(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private const string Httpd = "mkdir -p /www && echo hello-from-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www";

    private (int Exit, string Out, string Err) Exec(string id, string script) => daemon.System("exec", id, "--", "sh", "-c", script);

    private async Task<string> WaitForAsync(Func<(int Exit, string Out, string Err)> probe, string expected)
    {
        (int Exit, string Out, string Err) last = default;
        for (int i = 0; i < 50; i++)
        {
            last = probe();
            if (last.Exit == 0 && last.Out.Contains(expected, StringComparison.Ordinal)) return last.Out;
            await Task.Delay(100);
        }
        Assert.Fail($"never saw \"{expected}\": exit {last.Exit}, out {last.Out}, err {last.Err}\n{daemon.Log}");
        return "";
    }

    [DaemonFact]
    public async Task TwoSystems_OnANetwork_TalkByName_AndAPublishedPortAnswersOnLoopback()
    {
        var before = daemon.Take();
        var net = Id("web");
        string srv = Id("srv"), cli = Id("cli");
        Assert.Equal(0, daemon.System("network", "create", net, "--subnet", "10.77.1.0/24").Exit);
        try
        {
            var c1 = daemon.System("create", srv, "--image", NetworkDaemonFixture.Image, "--network", net, "--publish", "127.0.0.1::80", "--", "sh", "-c", Httpd);
            Assert.True(c1.Exit == 0, c1.Err + daemon.Log);
            Assert.Equal(0, daemon.System("start", srv).Exit);
            var c2 = daemon.System("create", cli, "--image", NetworkDaemonFixture.Image, "--network", net, "--hostname", "cli-host", "--dns", "192.0.2.53", "--", "sleep", "600");
            Assert.True(c2.Exit == 0, c2.Err + daemon.Log);
            Assert.Equal(0, daemon.System("start", cli).Exit);

            var endpoint = (await Net.ListEndpointsAsync(net)).Single(e => e.Name == srv);
            Assert.StartsWith("10.77.1.", endpoint.IpAddress);
            var port = Assert.Single(endpoint.Ports);
            Assert.NotEqual(0, port.HostPort); // the ephemeral port, reported back

            // from the test's namespace (the daemon's host), on loopback
            await WaitForAsync(() => daemon.InTestNamespace("timeout", "10", "busybox", "wget", "-q", "-O-", $"http://127.0.0.1:{port.HostPort}/"), $"hello-from-{srv}");
            // from the other system, by name
            await WaitForAsync(() => Exec(cli, $"timeout 10 wget -q -O- http://{srv}/"), $"hello-from-{srv}");
            Assert.Contains(srv, Exec(cli, "cat /etc/hosts").Out);
            Assert.Equal("cli-host", Exec(cli, "cat /etc/hostname").Out.Trim());
            Assert.Equal("cli-host", Exec(cli, "hostname").Out.Trim());
            Assert.Contains("127.0.0.1/8", Exec(cli, "ip addr show lo").Out); // lo is up (the pin brings it up)
            Assert.Contains("nameserver 192.0.2.53", Exec(cli, "cat /etc/resolv.conf").Out);
            // srv sees cli by its name too
            Assert.Contains(cli, Exec(srv, "cat /etc/hosts").Out);

            // srv leaves: cli's /etc/hosts (a bind mount) is rewritten in place
            Assert.Equal(0, daemon.System("rm", srv).Exit);
            Assert.DoesNotContain(srv, Exec(cli, "cat /etc/hosts").Out);
            // the port is free again
            Assert.DoesNotContain(await Net.ListEndpointsAsync(net), e => e.Name == srv);
        }
        finally
        {
            daemon.System("rm", srv);
            daemon.System("rm", cli);
            daemon.System("network", "rm", net);
        }
        Assert.DoesNotContain(await Net.ListNetworksAsync(), n => n.Name == net);
        daemon.Take().AssertSameAs(before);
    }

    [DaemonFact]
    public async Task AnInternalNetwork_HasNoRouteOut_WhereABridgeNetworkIsMasqueraded()
    {
        // "outside": a second namespace of the test's own behind a veth, with no route back to the containers'
        // subnets: only a masqueraded connection (source rewritten to 10.78.0.1) gets an answer from it
        var outside = "carton-out-" + Guid.NewGuid().ToString("N")[..6];
        NetworkDaemonFixture.Run("ip", "netns", "add", outside);
        Assert.Equal(0, daemon.InTestNamespace("ip", "link", "add", "vout0", "type", "veth", "peer", "name", "vout1", "netns", outside).Exit);
        daemon.InTestNamespace("ip", "addr", "add", "10.78.0.1/24", "dev", "vout0");
        daemon.InTestNamespace("ip", "link", "set", "vout0", "up");
        NetworkDaemonFixture.Run("ip", "-n", outside, "addr", "add", "10.78.0.2/24", "dev", "vout1");
        NetworkDaemonFixture.Run("ip", "-n", outside, "link", "set", "vout1", "up");
        NetworkDaemonFixture.Run("ip", "-n", outside, "link", "set", "lo", "up");
        var www = Path.Combine(daemon.Dir, "outside-www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "outside\n");
        var listener = System.Diagnostics.Process.Start("nsenter", [$"--net=/run/netns/{outside}", "--", "busybox", "httpd", "-f", "-p", "10.78.0.2:8099", "-h", www])!;
        // a host that forwards nothing it was not told to: only the network's forward rules (NetworkForwarding) let
        // the open network's traffic out and its answers back in
        Assert.Equal(0, daemon.InTestNamespace("iptables", "-P", "FORWARD", "DROP").Exit);
        var before = daemon.Take();
        string open = Id("open"), closed = Id("closed"), a = Id("a"), b = Id("b");
        try
        {
            await Net.CreateNetworkAsync(new NetworkCreateOptions { Name = open, Subnet = "10.77.2.0/24" });
            var info = await Net.CreateNetworkAsync(new NetworkCreateOptions { Name = closed, Subnet = "10.77.3.0/24", Internal = true });
            Assert.True(info.Internal);
            Assert.DoesNotContain("portmap", info.Plugins);
            Assert.Equal(0, daemon.System("create", a, "--image", NetworkDaemonFixture.Image, "--network", open, "--", "sleep", "600").Exit);
            Assert.Equal(0, daemon.System("create", b, "--image", NetworkDaemonFixture.Image, "--network", closed, "--", "sleep", "600").Exit);
            Assert.Equal(0, daemon.System("start", a).Exit);
            Assert.Equal(0, daemon.System("start", b).Exit);

            Assert.Contains("default", Exec(a, "ip route").Out);
            await WaitForAsync(() => Exec(a, "timeout 10 wget -q -O- http://10.78.0.2:8099/"), "outside");
            Assert.Contains($"carton network {open}", daemon.InTestNamespace("iptables", "-t", "nat", "-S", "POSTROUTING").Out);
            Assert.Equal(2, daemon.InTestNamespace("iptables", "-S", "FORWARD").Out.Split('\n').Count(l => l.Contains($"carton network {open}", StringComparison.Ordinal)));
            Assert.DoesNotContain("default", Exec(b, "ip route").Out);
            var refused = Exec(b, "timeout 10 wget -q -O- http://10.78.0.2:8099/");
            Assert.NotEqual(0, refused.Exit);
            // and publishing on it is refused up front
            var e = await Assert.ThrowsAsync<CartonException>(() => Net.CreateEndpointAsync(new EndpointCreateOptions
            {
                Network = closed, Ports = [new PortMapping { ContainerPort = 80 }],
            }));
            Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
            Assert.Contains(closed, e.Message);
        }
        finally
        {
            daemon.System("rm", a);
            daemon.System("rm", b);
            daemon.System("network", "rm", open, closed);
            listener.Kill();
            listener.WaitForExit();
            daemon.InTestNamespace("iptables", "-P", "FORWARD", "ACCEPT");
            daemon.InTestNamespace("ip", "link", "del", "vout0");
            NetworkDaemonFixture.Run("ip", "netns", "delete", outside);
        }
        var after = daemon.Take();
        Assert.Equal(before.RunFiles, after.RunFiles);
        Assert.Equal(before.Pins, after.Pins);
        Assert.DoesNotContain(after.Rules, r => r.Contains($"carton network {open}", StringComparison.Ordinal));
    }

    [DaemonFact]
    public async Task BadInput_IsAClearError_AndLeavesNothing()
    {
        var before = daemon.Take();
        var bad = Id("bad");
        // an invalid conflist
        var e = await Assert.ThrowsAsync<CartonException>(() => Net.CreateNetworkAsync(new NetworkCreateOptions
        {
            Name = bad, ConfList = $$"""{"cniVersion":"1.0.0","name":"{{bad}}","plugins":[{"bridge":"x"}]}""",
        }));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("plugins[0].type", e.Message);
        // a missing plugin binary
        e = await Assert.ThrowsAsync<CartonException>(() => Net.CreateNetworkAsync(new NetworkCreateOptions
        {
            Name = bad, ConfList = $$"""{"cniVersion":"1.0.0","name":"{{bad}}","plugins":[{"type":"no-such-plugin"}]}""",
        }));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("no-such-plugin", e.Message);
        // an unknown network
        e = await Assert.ThrowsAsync<CartonException>(() => Net.CreateEndpointAsync(new EndpointCreateOptions { Network = "no-such-net" }));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("no-such-net", e.Message);
        var sys = daemon.System("create", Id("x"), "--image", NetworkDaemonFixture.Image, "--network", "no-such-net", "--", "true");
        Assert.NotEqual(0, sys.Exit);
        Assert.Contains("no-such-net", sys.Err);
        // an overlapping subnet
        var small = Id("small");
        await Net.CreateNetworkAsync(new NetworkCreateOptions { Name = small, Subnet = "10.77.4.0/30" });
        e = await Assert.ThrowsAsync<CartonException>(() => Net.CreateNetworkAsync(new NetworkCreateOptions { Name = bad, Subnet = "10.77.4.0/24" }));
        Assert.Contains(small, e.Message);
        var ns1 = await Net.CreateNamespaceAsync(new NamespaceCreateOptions { Id = Id("ns") });
        var ns2 = await Net.CreateNamespaceAsync(new NamespaceCreateOptions { Id = Id("ns") });
        var e1 = await Net.CreateEndpointAsync(new EndpointCreateOptions { Network = small, Name = "one" });
        var e2 = await Net.CreateEndpointAsync(new EndpointCreateOptions { Network = small, Name = "two" });
        string? listenerPort = null;
        System.Diagnostics.Process? listener = null;
        try
        {
            // an exhausted subnet: a /30 has one address besides the gateway
            e1 = await Net.AttachEndpointAsync(e1.Id, ns1.Id);
            Assert.Equal("10.77.4.2/30", e1.IpAddress);
            var linksWithOne = daemon.Take().Links;
            e = await Assert.ThrowsAsync<CartonException>(() => Net.AttachEndpointAsync(e2.Id, ns2.Id));
            Assert.Contains(small, e.Message);
            Assert.Equal(ErrorKind.ResourceExhausted, e.Kind);
            Assert.Contains("no IP addresses available", e.Message);
            Assert.Null((await Net.InspectEndpointAsync(e2.Id)).Namespace);
            Assert.Equal(linksWithOne, daemon.Take().Links); // the failed ADD was rolled back: no veth left

            // a host port already taken by a listener in the test's namespace
            var www = Path.Combine(daemon.Dir, "taken-www");
            Directory.CreateDirectory(www);
            listenerPort = (20000 + Random.Shared.Next(20000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            listener = System.Diagnostics.Process.Start("nsenter", [$"--net=/run/netns/{daemon.NetnsName}", "--", "busybox", "httpd", "-f", "-p", $"127.0.0.1:{listenerPort}", "-h", www])!;
            await Task.Delay(300);
            var pub = Id("pub");
            await Net.CreateNetworkAsync(new NetworkCreateOptions { Name = pub, Subnet = "10.77.5.0/24" });
            try
            {
                e = await Assert.ThrowsAsync<CartonException>(() => Net.CreateEndpointAsync(new EndpointCreateOptions
                {
                    Network = pub, Ports = [new PortMapping { HostIp = "127.0.0.1", HostPort = int.Parse(listenerPort, System.Globalization.CultureInfo.InvariantCulture), ContainerPort = 80 }],
                }));
                Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
                Assert.Contains(listenerPort, e.Message);
                Assert.Empty(await Net.ListEndpointsAsync(pub));
                // and one Carton published itself
                var held = await Net.CreateEndpointAsync(new EndpointCreateOptions { Network = pub, Ports = [new PortMapping { ContainerPort = 80 }] });
                e = await Assert.ThrowsAsync<CartonException>(() => Net.CreateEndpointAsync(new EndpointCreateOptions
                {
                    Network = pub, Ports = [new PortMapping { HostPort = held.Ports[0].HostPort, ContainerPort = 81 }],
                }));
                Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
                await Net.DeleteEndpointAsync(held.Id);
            }
            finally
            {
                await Net.DeleteNetworkAsync(pub);
            }
        }
        finally
        {
            listener?.Kill();
            listener?.WaitForExit();
            await Net.DeleteEndpointAsync(e1.Id);
            await Net.DeleteEndpointAsync(e2.Id);
            await Net.DeleteNamespaceAsync(ns1.Id);
            await Net.DeleteNamespaceAsync(ns2.Id);
            await Net.DeleteNetworkAsync(small);
        }
        Assert.DoesNotContain(await Net.ListNetworksAsync(), n => n.Name == bad);
        daemon.Take().AssertSameAs(before);
    }

    [DaemonFact]
    public async Task TwoHundredAttachCycles_NeverHandOutAnAddressTwice_AndLeaveNothing()
    {
        var net = Id("cyc");
        await Net.CreateNetworkAsync(new NetworkCreateOptions { Name = net, Subnet = "10.77.6.0/24" });
        // the bridge is made by the first ADD; take the baseline after one attachment has come and gone
        var warm = await Net.CreateNamespaceAsync(new NamespaceCreateOptions());
        var we = await Net.CreateEndpointAsync(new EndpointCreateOptions { Network = net });
        await Net.AttachEndpointAsync(we.Id, warm.Id);
        await Net.DeleteEndpointAsync(we.Id);
        await Net.DeleteNamespaceAsync(warm.Id);
        var before = daemon.Take();
        var live = new Queue<(string Ns, string Endpoint, string Address)>();
        for (int i = 0; i < 200; i++)
        {
            var ns = await Net.CreateNamespaceAsync(new NamespaceCreateOptions());
            var ep = await Net.CreateEndpointAsync(new EndpointCreateOptions { Network = net, Name = $"c{i}", Ports = i % 10 == 0 ? [new PortMapping { HostIp = "127.0.0.1", ContainerPort = 80 }] : null });
            ep = await Net.AttachEndpointAsync(ep.Id, ns.Id);
            Assert.DoesNotContain(ep.IpAddress!, live.Select(l => l.Address));
            live.Enqueue((ns.Id, ep.Id, ep.IpAddress!));
            if (live.Count > 5)
            {
                var (oldNs, oldEp, _) = live.Dequeue();
                await Net.DeleteEndpointAsync(oldEp);
                await Net.DeleteNamespaceAsync(oldNs);
            }
        }
        while (live.Count > 0)
        {
            var (ns, ep, _) = live.Dequeue();
            await Net.DeleteEndpointAsync(ep);
            await Net.DeleteNamespaceAsync(ns);
        }
        daemon.Take().AssertSameAs(before);
        await Net.DeleteNetworkAsync(net);
    }

    [DaemonFact]
    public async Task ADaemonKilledWithAttachedSystems_CleansThemUpAfterRestart()
    {
        var before = daemon.Take();
        var net = Id("kill");
        string kept = Id("kept"), lost = Id("lost");
        await Net.CreateNetworkAsync(new NetworkCreateOptions { Name = net, Subnet = "10.77.7.0/24" });
        Assert.Equal(0, daemon.System("create", kept, "--image", NetworkDaemonFixture.Image, "--network", net, "--publish", "127.0.0.1::80", "--", "sh", "-c", Httpd).Exit);
        Assert.Equal(0, daemon.System("create", lost, "--image", NetworkDaemonFixture.Image, "--network", net, "--", "sleep", "600").Exit);
        Assert.Equal(0, daemon.System("start", kept).Exit);
        Assert.Equal(0, daemon.System("start", lost).Exit);
        var port = (await Net.ListEndpointsAsync(net)).Single(e => e.Name == kept).Ports[0].HostPort;

        await daemon.KillDaemonAsync();
        // while no daemon runs, one system is deleted behind its back (its state and scratch gone): lost
        var gone = NetworkDaemonFixture.Run(DaemonFixture.CartonBinary, "--root", daemon.StateRoot, "delete", "--force", lost);
        Assert.True(gone.Exit == 0, gone.Err);
        var scratch = Path.Combine(daemon.StateRoot, ".scratch", lost);
        NetworkDaemonFixture.Run("umount", "-l", Path.Combine(scratch, "rootfs"));
        Directory.Delete(scratch, recursive: true);
        await daemon.StartDaemonAsync();
        try
        {
            // the lost system's namespace and endpoint were swept; the kept one still serves on its port
            Assert.DoesNotContain((await Net.ListEndpointsAsync(net)), e => e.Name == lost);
            Assert.DoesNotContain((await Net.ListNamespacesAsync()), n => n.Id == lost);
            await WaitForAsync(() => daemon.InTestNamespace("timeout", "10", "busybox", "wget", "-q", "-O-", $"http://127.0.0.1:{port}/"), $"hello-from-{kept}");
            // and its port is still held by the restarted daemon
            Assert.Equal(0, daemon.System("rm", kept).Exit);
        }
        finally
        {
            daemon.System("rm", kept);
            daemon.System("network", "rm", net);
        }
        daemon.Take().AssertSameAs(before);
    }
}
