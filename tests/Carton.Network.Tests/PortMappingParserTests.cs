namespace Carton.Network.Tests;

/// <summary>docker's --publish forms, as `carton system create -p` takes them.</summary>
public sealed class PortMappingParserTests
{
    [Theory]
    [InlineData("80", null, 0, 80, "tcp")]
    [InlineData("8080:80", null, 8080, 80, "tcp")]
    [InlineData("8080:80/udp", null, 8080, 80, "udp")]
    [InlineData("53/udp", null, 0, 53, "udp")]
    [InlineData("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, "tcp")]
    [InlineData("127.0.0.1::80", "127.0.0.1", 0, 80, "tcp")]
    [InlineData("0.0.0.0:1:65535/tcp", "0.0.0.0", 1, 65535, "tcp")]
    [InlineData(":8080:80", null, 8080, 80, "tcp")]
    public void GoodForms(string value, string? hostIp, int hostPort, int containerPort, string protocol)
    {
        var p = PortMappingParser.Parse(value);
        Assert.Equal(hostIp, p.HostIp);
        Assert.Equal(hostPort, p.HostPort);
        Assert.Equal(containerPort, p.ContainerPort);
        Assert.Equal(protocol, p.Protocol);
        PortMappingParser.Validate(p, "$.ports[0]");
    }

    [Theory]
    [InlineData("70000:80", "\"70000\"")]
    [InlineData("80:70000", "\"70000\"")]
    [InlineData("0:80", "\"0\"")]
    [InlineData("8080:", "container port")]
    [InlineData("", "container port")]
    [InlineData("http", "\"http\"")]
    [InlineData("+80", "\"+80\"")]
    [InlineData("8080:80/sctp", "\"sctp\"")]
    [InlineData("8080:80/", "protocol")]
    [InlineData("[::1]:1:2", "only IPv4")]
    [InlineData("::1:1:2", "expected")]
    [InlineData("[::1]1:2", "[ADDR]")]
    [InlineData("example.com:8080:80", "not an IP address")]
    [InlineData("1.2.3.4:5:6:7", "expected")]
    public void BadForms_AreRefused_NamingTheValue(string value, string detail)
    {
        var e = Assert.Throws<CartonException>(() => PortMappingParser.Parse(value));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains($"\"{value}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(detail, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_IsDockersForm()
    {
        Assert.Equal("0.0.0.0:8080->80/tcp", PortMappingParser.Parse("8080:80").ToString());
        Assert.Equal("127.0.0.1:0->53/udp", PortMappingParser.Parse("127.0.0.1::53/udp").ToString());
    }

    [Theory]
    [InlineData(0, 0, "tcp", null, "containerPort")]
    [InlineData(80, 65536, "tcp", null, "hostPort")]
    [InlineData(80, -1, "tcp", null, "hostPort")]
    [InlineData(80, 0, "icmp", null, "protocol")]
    [InlineData(80, 0, "tcp", "::1", "hostIp")]
    [InlineData(80, 0, "tcp", "localhost", "hostIp")]
    public void Validate_NamesTheField(int containerPort, int hostPort, string protocol, string? hostIp, string field)
    {
        var p = new PortMapping { ContainerPort = containerPort, HostPort = hostPort, Protocol = protocol, HostIp = hostIp };
        var e = Assert.Throws<CartonException>(() => PortMappingParser.Validate(p, "$.network.ports[1]"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("$.network.ports[1]." + field, e.JsonPath);
    }
}
