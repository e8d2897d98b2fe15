using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

public sealed class CniPluginErrorTests
{
    [Theory]
    [InlineData(1u, "incompatible CNI versions", ErrorKind.Unsupported)]
    [InlineData(2u, "unsupported field", ErrorKind.InvalidDocument)]
    [InlineData(3u, "container unknown", ErrorKind.NotFound)]
    [InlineData(4u, "invalid env", ErrorKind.InvalidDocument)]
    [InlineData(5u, "i/o", ErrorKind.Internal)]
    [InlineData(6u, "decode", ErrorKind.Internal)]
    [InlineData(7u, "invalid network config", ErrorKind.InvalidDocument)]
    [InlineData(11u, "try again later", ErrorKind.Unavailable)]
    [InlineData(50u, "not available", ErrorKind.Unavailable)]
    [InlineData(100u, "something of the plugin's own", ErrorKind.Internal)]
    // Debian's host-local 1.1.1 (code 999) and later releases (code 11) on an exhausted range.
    [InlineData(999u, "failed to allocate for range 0: no IP addresses available in range set: 10.250.9.2-10.250.9.2", ErrorKind.ResourceExhausted)]
    [InlineData(11u, "failed to allocate for range 0: no IP addresses available in range set: 10.0.0.1-10.0.0.9", ErrorKind.ResourceExhausted)]
    public void KindsFollowTheCode(uint code, string msg, ErrorKind kind) => Assert.Equal(kind, CniPluginException.KindOf(code, msg));

    [Fact]
    public void AJsonErrorBecomesATypedException()
    {
        var e = CniPluginExec.Failure("network \"web\": plugin \"bridge\" (ADD)", "web", "bridge", "ADD", 1,
            """{"cniVersion":"1.0.0","code":11,"msg":"failed to allocate for range 0","details":"no IP addresses available in range set"}""", "ignored stderr");
        Assert.Equal(ErrorKind.ResourceExhausted, e.Kind);
        Assert.Equal(11u, e.CniCode);
        Assert.Equal("failed to allocate for range 0", e.CniMessage);
        Assert.Equal("no IP addresses available in range set", e.Details);
        Assert.Equal("web", e.NetworkName);
        Assert.Equal("bridge", e.Plugin);
        Assert.Equal("ADD", e.Command);
        Assert.Equal("network \"web\": plugin \"bridge\" (ADD): failed to allocate for range 0: no IP addresses available in range set (code 11)", e.Message);
    }

    [Fact]
    public void AnErrorWithoutJsonCarriesStderr()
    {
        var e = CniPluginExec.Failure("plugin \"x\" (DEL)", null, "x", "DEL", 2, "garbage", "panic: runtime error\ngoroutine 1");
        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.Equal(0u, e.CniCode);
        Assert.Equal("plugin \"x\" (DEL): exited with status 2: panic: runtime error | goroutine 1", e.Message);

        var silent = CniPluginExec.Failure("plugin \"x\" (DEL)", null, "x", "DEL", 1, "", "");
        Assert.Equal("plugin \"x\" (DEL): exited with status 1 and no error message", silent.Message);
    }

    [Theory]
    [InlineData("""{"code":7,"msg":"bad"}""", true, 7u, "bad", null)]
    [InlineData("""{"code":999,"msg":"x","details":""}""", true, 999u, "x", null)]
    [InlineData("""{"code":"7","msg":"bad"}""", false, 0u, "", null)]
    [InlineData("""{"msg":"no code"}""", false, 0u, "", null)]
    [InlineData("not json", false, 0u, "", null)]
    [InlineData("", false, 0u, "", null)]
    public void ParsesErrorDocuments(string stdout, bool ok, uint code, string msg, string? details)
    {
        Assert.Equal(ok, CniPluginExec.TryParseError(stdout, out var c, out var m, out var d));
        if (!ok) return;
        Assert.Equal(code, c);
        Assert.Equal(msg, m);
        Assert.Equal(details, d);
    }
}
