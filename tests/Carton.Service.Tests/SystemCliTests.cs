using System.Text.Json;
using Carton.Compute;
using Carton.Network;
using Carton.SystemCli;

namespace Carton.Service.Tests;

/// <summary>What `carton system create` and `carton network create` send, from their flags: the documents and options
/// are built without a daemon (SystemCreateCommand.BuildDocument, NetworkCreateCommand.Options).</summary>
public sealed class SystemCliTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("carton-systemcli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Bundle()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "config.json"),
            """{"ociVersion":"1.2.0","process":{"args":["sh"],"cwd":"/"},"root":{"path":"rootfs"}}""");
        return _dir.FullName;
    }

    [Fact]
    public void Image_WithoutNetworkFlags_HasNoNetworking()
    {
        var doc = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Image = "alpine", Command = ["sleep", "1"] });
        Assert.Null(doc.Oci);
        Assert.Equal("alpine", doc.Hcs!.Container.Image);
        Assert.Equal(["sleep", "1"], doc.Hcs.Container.InitProcess!.CommandArgs);
        Assert.Null(doc.Hcs.Container.Networking);
        Assert.Null(doc.Hcs.Container.HostName);
    }

    [Fact]
    public void Image_NetworkFlags_GoIntoHcsNetworking()
    {
        var doc = SystemCreateCommand.BuildDocument(new SystemCreateRequest
        {
            Image = "alpine", Network = "front", Publish = ["8080:80", "127.0.0.1::53/udp"], Hostname = "web", Dns = ["10.0.0.53", "1.1.1.1"],
        });
        var c = doc.Hcs!.Container;
        Assert.Equal("web", c.HostName);
        Assert.Equal("front", c.Networking!.Network);
        Assert.Equal(["10.0.0.53", "1.1.1.1"], c.Networking.DnsServerList);
        Assert.Collection(c.Networking.Ports!,
            p => Assert.Equal("0.0.0.0:8080->80/tcp", p.ToString()),
            p => Assert.Equal("127.0.0.1:0->53/udp", p.ToString()));
        Assert.Null(c.Networking.Namespace);
    }

    [Fact]
    public void Publish_WithoutNetwork_IsOnTheDefaultNetwork()
    {
        var hcs = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Image = "alpine", Publish = ["80"] }).Hcs!.Container.Networking!;
        Assert.Equal("", hcs.Network);
        Assert.Equal(80, Assert.Single(hcs.Ports!).ContainerPort);

        var oci = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Bundle = Bundle(), Publish = ["80"] }).Oci!.Network!;
        Assert.Equal("", Assert.Single(oci.Networks!).Network);
        Assert.Equal(80, Assert.Single(oci.Ports!).ContainerPort);
    }

    [Fact]
    public void Hostname_OrDns_Alone_MakeNoEndpoint()
    {
        var hcs = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Image = "alpine", Hostname = "h" }).Hcs!.Container;
        Assert.Equal("h", hcs.HostName);
        Assert.Null(hcs.Networking);
        var dns = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Image = "alpine", Dns = ["9.9.9.9"] }).Hcs!.Container.Networking!;
        Assert.Null(dns.Network);
        Assert.Equal(["9.9.9.9"], dns.DnsServerList);

        var oci = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Bundle = Bundle(), Hostname = "h", Dns = ["9.9.9.9"] }).Oci!.Network!;
        Assert.Equal("h", oci.Hostname);
        Assert.Equal(["9.9.9.9"], oci.Dns);
        Assert.Null(oci.Networks);
        Assert.Null(oci.Ports);
    }

    [Fact]
    public void Oci_NetworkFlags_GoIntoSystemNetworking()
    {
        var doc = SystemCreateCommand.BuildDocument(new SystemCreateRequest
        {
            Bundle = Bundle(), Network = "back", Publish = ["5432:5432"], NetworkAliases = ["db", "postgres"], Hostname = "db1", Dns = ["10.0.0.53"],
        });
        Assert.Null(doc.Hcs);
        Assert.Equal(_dir.FullName, doc.Oci!.Bundle);
        Assert.Equal(["sh"], doc.Oci.Spec.Process!.Args);
        var n = doc.Oci.Network!;
        var attachment = Assert.Single(n.Networks!);
        Assert.Equal("back", attachment.Network);
        Assert.Equal(["db", "postgres"], attachment.Aliases);
        Assert.Equal("0.0.0.0:5432->5432/tcp", Assert.Single(n.Ports!).ToString());
        Assert.Equal("db1", n.Hostname);
        Assert.Equal(["10.0.0.53"], n.Dns);
    }

    [Fact]
    public void Oci_WithoutNetworkFlags_KeepsTheSpecsNetworking()
    {
        var doc = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Bundle = Bundle() });
        Assert.Null(doc.Oci!.Network);
    }

    [Fact]
    public void HcsFile_KeepsItsNetworking_WhereNoFlagOverrides()
    {
        var file = Path.Combine(_dir.FullName, "doc.json");
        File.WriteAllText(file, """
            {"Container":{"Storage":{"Layers":[{"Id":"1","Path":"/l"}]},
             "Networking":{"Network":"mine","Ports":[{"containerPort":22}],"DnsSearchList":"example.com"}}}
            """);
        var n = SystemCreateCommand.BuildDocument(new SystemCreateRequest { HcsFile = file, Publish = ["8080:80"] }).Hcs!.Container.Networking!;
        Assert.Equal("mine", n.Network);
        Assert.Equal([22, 80], n.Ports!.Select(p => p.ContainerPort));
        Assert.Equal("example.com", n.DnsSearchList);
        var other = SystemCreateCommand.BuildDocument(new SystemCreateRequest { HcsFile = file, Network = "theirs" }).Hcs!.Container.Networking!;
        Assert.Equal("theirs", other.Network);
    }

    [Fact]
    public void TheDocument_RoundTripsThroughTheWireContext()
    {
        var doc = SystemCreateCommand.BuildDocument(new SystemCreateRequest { Image = "alpine", Network = "front", Publish = ["8080:80"] });
        var json = JsonSerializer.Serialize(doc, ComputeJsonContext.Default.ComputeSystemDocument);
        Assert.Contains("\"Networking\":{\"Network\":\"front\",\"Ports\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--network-alias needs --oci", null, "alpine", null, null, "web")]
    [InlineData("--network-alias needs --oci", null, null, "doc.json", null, "web")]
    [InlineData("invalid port mapping \"70000:80\"", null, "alpine", null, "70000:80", null)]
    [InlineData("only IPv4", null, "alpine", null, "[::1]:1:2", null)]
    [InlineData("exactly one of", null, null, null, null, null)]
    [InlineData("exactly one of", "bundle", "alpine", null, null, null)]
    public void BadFlags_AreRefused(string message, string? bundle, string? image, string? hcs, string? publish, string? alias)
    {
        var e = Assert.Throws<CartonException>(() => SystemCreateCommand.BuildDocument(new SystemCreateRequest
        {
            Bundle = bundle is null ? null : Bundle(), Image = image, HcsFile = hcs is null ? null : Path.Combine(_dir.FullName, hcs),
            Publish = publish is null ? [] : [publish], NetworkAliases = alias is null ? [] : [alias],
        }));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dns.example")]
    [InlineData("1.2.3")]
    [InlineData("::g")]
    public void Dns_MustBeAnAddress(string server)
    {
        var e = Assert.Throws<CartonException>(() => SystemCreateCommand.BuildDocument(new SystemCreateRequest { Image = "alpine", Dns = [server] }));
        Assert.Contains($"--dns \"{server}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_GoesWithImageOnly()
    {
        var e = Assert.Throws<CartonException>(() => SystemCreateCommand.BuildDocument(new SystemCreateRequest { Bundle = Bundle(), Command = ["sh"] }));
        Assert.Contains("--image only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkCreate_Options()
    {
        var o = NetworkCreateCommand.Options("front", "10.89.3.0/24", "10.89.3.1", true, ["team=web", "empty=", "flag", "a=b=c"], null);
        Assert.Equal("front", o.Name);
        Assert.Equal("10.89.3.0/24", o.Subnet);
        Assert.Equal("10.89.3.1", o.Gateway);
        Assert.True(o.Internal);
        Assert.Null(o.ConfList);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "web", ["empty"] = "", ["flag"] = "", ["a"] = "b=c" }, o.Labels);
        Assert.Null(NetworkCreateCommand.Options("n", null, null, false, [], null).Labels);
    }

    [Fact]
    public void NetworkCreate_ConfList_IsReadAndGoesAlone()
    {
        var file = Path.Combine(_dir.FullName, "n.conflist");
        File.WriteAllText(file, """{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"}]}""");
        var o = NetworkCreateCommand.Options("n", null, null, false, [], file);
        Assert.Contains("\"plugins\"", o.ConfList, StringComparison.Ordinal);
        var e = Assert.Throws<CartonException>(() => NetworkCreateCommand.Options("n", "10.0.0.0/24", null, false, [], file));
        Assert.Contains("--conflist goes alone", e.Message, StringComparison.Ordinal);
        Assert.Throws<CartonException>(() => NetworkCreateCommand.Options("n", null, null, false, ["=v"], null));
    }

    [Fact]
    public void NetworkList_Row()
    {
        var n = new NetworkInfo
        {
            Id = new string('a', 64), Name = "front", Driver = "bridge", Subnet = "10.89.0.0/24", Gateway = "10.89.0.1", Endpoints = ["x", "y"],
        };
        Assert.Equal(["aaaaaaaaaaaa", "front", "bridge", "10.89.0.0/24", "10.89.0.1", "false", "2"], NetworkListCommand.Row(n));
        Assert.Equal(["NETWORK ID", "NAME", "DRIVER", "SUBNET", "GATEWAY", "INTERNAL", "ENDPOINTS"], NetworkListCommand.Header);
    }
}
