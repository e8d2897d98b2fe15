using System.Net;
using System.Text;
using Carton.Client;

namespace Carton.Service.Tests;

/// <summary>NetworkClient's errors: the daemon's error bodies back to plain <see cref="CartonException"/>s of the same
/// kind, code, errno and JSON path (never a compute-system exception type). The routes themselves are tested end to
/// end against the real network service.</summary>
public sealed class NetworkErrorMappingTests
{
    private static Task<CartonException> Map(HttpStatusCode status, string body) =>
        ErrorMapping.ToCartonExceptionAsync(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") }, default);

    [Fact]
    public async Task NotFound_KeepsKindCodeAndMessage()
    {
        var e = await Map(HttpStatusCode.NotFound, """{"code":"NotFound","kind":"NotFound","message":"network \"front\" not found"}""");
        Assert.Equal(typeof(CartonException), e.GetType());
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("NotFound", e.Code);
        Assert.Equal("network \"front\" not found", e.Message);
    }

    [Fact]
    public async Task InvalidDocument_KeepsPathAndReason()
    {
        var e = await Map(HttpStatusCode.BadRequest, """{"code":"InvalidDocument","kind":"InvalidDocument","message":"$.subnet: not a CIDR","jsonPath":"$.subnet"}""");
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("$.subnet", e.JsonPath);
        Assert.Equal("not a CIDR", e.Reason);
    }

    [Fact]
    public async Task SpecificCodeAndErrno_AreKept()
    {
        var e = await Map(HttpStatusCode.InternalServerError, """{"code":"PluginFailed","kind":"Internal","message":"bridge: EEXIST","errno":17}""");
        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.Equal("PluginFailed", e.Code);
        Assert.Equal(17, e.Errno);
    }

    [Fact]
    public async Task NoBody_TakesTheKindFromTheStatus()
    {
        // a daemon without a network service: the route is not mapped
        var e = await Map(HttpStatusCode.NotFound, "");
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("NotFound", e.Code);
    }
}
