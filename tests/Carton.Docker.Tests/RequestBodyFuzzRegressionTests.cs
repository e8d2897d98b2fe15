using System.Text;
using Carton.Docker.Models;
using Microsoft.AspNetCore.Http;

namespace Carton.Docker.Tests;

/// <summary>Bodies the fuzzer (tests/Carton.Fuzz.Tests, issue 15 §2) found crashing POST /containers/create: a null
/// entry in Env or HostConfig.Binds threw NullReferenceException in ContainerDocument.Build (a 500); bytes that are not
/// UTF-8 could do the same. Each must be a 400 (InvalidDocument) naming the field. No daemon.</summary>
public sealed class RequestBodyFuzzRegressionTests
{
    private static ContainerCreateBody Read(byte[] body)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Body = new MemoryStream(body);
        return DockerJson.ReadAsync(ctx, DockerJsonContext.Default.ContainerCreateBody).GetAwaiter().GetResult();
    }

    [Theory]
    [InlineData("""{"Image": "busybox", "Env": ["A=1", null]}""", "$.Env[1]")]
    [InlineData("""{"Image": "busybox", "HostConfig": {"Binds": [null]}}""", "$.HostConfig.Binds[0]")]
    public void A_null_list_entry_is_a_400_naming_it(string json, string path)
    {
        var e = Assert.Throws<CartonException>(() => Read(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(path, e.JsonPath);
    }

    [Fact]
    public void A_body_that_is_not_UTF8_is_a_400()
    {
        byte[] body = [.. "{\"Image\": \"a"u8, 0xFF, .. "\"}"u8];
        var e = Assert.Throws<CartonException>(() => Read(body));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
    }

    [Fact]
    public void A_null_tmpfs_option_string_means_no_options_not_a_NullReferenceException()
    {
        var body = Read(Encoding.UTF8.GetBytes("""{"Image": "busybox", "Cmd": ["true"], "HostConfig": {"Tmpfs": {"/cache": null}}}"""));
        var result = ContainerDocument.Build(body, "busybox", null, new string('a', 64), "n", "/run/x.log", _ => "");
        var mount = Assert.Single(result.Document.Oci!.Spec.Mounts!, m => m.Destination == "/cache");
        Assert.Equal(["nosuid", "nodev", "noexec"], mount.Options);
    }
}
