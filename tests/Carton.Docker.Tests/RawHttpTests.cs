using System.Diagnostics;
using System.Text;

namespace Carton.Docker.Tests;

/// <summary>The Docker socket spoken to directly: version prefixes, Docker's error bodies, /_ping's headers, and
/// the wall between the two APIs.</summary>
[Collection("docker")]
public sealed class RawHttpTests(DockerFixture fx)
{
    private Task<string> Get(string path) => fx.RawAsync($"GET {path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");

    private static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    [DockerFact]
    public async Task Version_WithAndWithoutPrefix()
    {
        foreach (var path in new[] { "/version", "/v1.41/version", "/v1.50/version", "/v1.45/version" })
        {
            var r = await Get(path);
            Assert.StartsWith("HTTP/1.1 200", r);
            Assert.Contains("Api-Version: 1.50", r);
            Assert.Contains("\"ApiVersion\":\"1.50\"", r);
            Assert.Contains("\"MinAPIVersion\":\"1.41\"", r);
        }
    }

    [DockerFact]
    public async Task VersionOutsideTheRange_Is400WithDockersMessage()
    {
        var old = await Get("/v1.40/version");
        Assert.StartsWith("HTTP/1.1 400", old);
        Assert.Equal("{\"message\":\"client version 1.40 is too old. Minimum supported API version is 1.41, please upgrade your client to a newer version\"}", Body(old).Trim());
        var newer = await Get("/v1.51/_ping");
        Assert.StartsWith("HTTP/1.1 400", newer);
        Assert.Contains("client version 1.51 is too new. Maximum supported API version is 1.50", newer);
    }

    [DockerFact]
    public async Task UnknownRoute_Is404PageNotFound()
    {
        foreach (var path in new[] { "/nope", "/v1.41/containers/nope/top/x", "/images/x/unknown" })
        {
            var r = await Get(path);
            Assert.StartsWith("HTTP/1.1 404", r);
            Assert.Equal("{\"message\":\"page not found\"}", Body(r).Trim());
        }
    }

    [DockerFact]
    public async Task UnknownImage_Is404NoSuchImage()
    {
        var r = await Get("/v1.41/images/nothing-here:1/json");
        Assert.StartsWith("HTTP/1.1 404", r);
        Assert.Equal("{\"message\":\"No such image: nothing-here:1\"}", Body(r).Trim());
    }

    [DockerFact]
    public async Task MalformedBody_Is400NamingTheField()
    {
        static string Post(string body) =>
            $"POST /v1.41/auth HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        var wrongType = await fx.RawAsync(Post("{\"username\": 5, \"unknownField\": true}"));
        Assert.StartsWith("HTTP/1.1 400", wrongType);
        Assert.Contains("field username", Body(wrongType));
        var notJson = await fx.RawAsync(Post("{not json"));
        Assert.StartsWith("HTTP/1.1 400", notJson);
        Assert.Contains("\"message\":\"malformed JSON", Body(notJson));
        // unknown fields are ignored: a well-formed body gets past the parse (and the test registry, which asks for
        // no credentials, lets anyone in)
        var fine = await fx.RawAsync(Post($"{{\"username\": \"u\", \"password\": \"p\", \"serveraddress\": \"{fx.Registry.Host}\", \"unknownField\": {{\"x\": 1}}}}"));
        Assert.StartsWith("HTTP/1.1 200", fine);
        Assert.Contains("\"Status\":\"Login Succeeded\"", Body(fine));
    }

    [DockerFact]
    public async Task MalformedFilters_Are400()
    {
        var bad = await Get("/images/json?filters=%7Bnot");
        Assert.StartsWith("HTTP/1.1 400", bad);
        var unknown = await Get("/images/json?filters=%7B%22colour%22%3A%7B%22red%22%3Atrue%7D%7D");
        Assert.StartsWith("HTTP/1.1 400", unknown);
        Assert.Contains("invalid filter 'colour'", unknown);
    }

    [DockerFact]
    public async Task Ping_GetAndHead()
    {
        var get = await Get("/_ping");
        Assert.StartsWith("HTTP/1.1 200", get);
        Assert.Equal("OK", Body(get));
        var head = await fx.RawAsync("HEAD /v1.41/_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal("", Body(head));
        foreach (var r in new[] { get, head })
        {
            Assert.Contains("Api-Version: 1.50", r);
            Assert.Contains("Docker-Experimental: false", r);
            Assert.Contains("OSType: linux", r);
            Assert.Contains("Builder-Version: 1", r);
            Assert.Contains("Cache-Control: no-cache, no-store, must-revalidate", r);
            Assert.Contains("Pragma: no-cache", r);
        }
    }

    [DockerFact]
    public async Task TheTwoApis_AreEachOnlyOnTheirOwnSocket()
    {
        var computeOnDocker = await Get("/v1/systems");
        Assert.DoesNotContain("HTTP/1.1 200", computeOnDocker);
        Assert.Contains("\"message\":", computeOnDocker);
        var dockerOnCompute = await DockerFixture.RawAsync(fx.Socket, "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", dockerOnCompute);
        var images = await DockerFixture.RawAsync(fx.Socket, "GET /v1.41/images/json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", images);
    }

    [DockerFact]
    public void DockerSocket_IsRootOnlyWithoutAGroup()
    {
        var st = new FileInfo(fx.DockerSocket);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fx.DockerSocket));
        Assert.True(st.Exists || File.Exists(fx.DockerSocket));
    }

    [DockerFact]
    public async Task DockerGroup_Makes0660WithThatGroup_AndNoneDisablesTheSocket()
    {
        var dir = Path.Combine(fx.Dir, "grouped");
        Directory.CreateDirectory(dir);
        var log = new StringBuilder();
        var p = await fx.StartDaemonAsync(Path.Combine(dir, "carton.sock"), Path.Combine(dir, "state"), fx.ImageRoot,
            ["--docker-socket", Path.Combine(dir, "d.sock"), "--docker-group", "4242"], log);
        try
        {
            var sock = Path.Combine(dir, "d.sock");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(sock));
            var stat = DockerFixture.Run("stat", "-c", "%u:%g", sock);
            Assert.Equal("0:4242", stat.Out.Trim());
            Assert.StartsWith("HTTP/1.1 200", await DockerFixture.RawAsync(sock, "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        }
        finally
        {
            Assert.Equal(0, await DockerFixture.StopAsync(p));
        }
        Assert.False(File.Exists(Path.Combine(dir, "d.sock")), "the Docker socket is removed at exit");

        var none = Path.Combine(fx.Dir, "nodocker");
        Directory.CreateDirectory(none);
        var q = await fx.StartDaemonAsync(Path.Combine(none, "carton.sock"), Path.Combine(none, "state"), fx.ImageRoot, ["--docker-socket", "none"], log);
        try
        {
            Assert.False(File.Exists(Path.Combine(none, "docker.sock")));
        }
        finally
        {
            Assert.Equal(0, await DockerFixture.StopAsync(q));
        }
    }
}
