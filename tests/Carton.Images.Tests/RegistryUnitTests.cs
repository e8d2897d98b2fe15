using Carton.Images.Model;
using Carton.Images.Registry;

namespace Carton.Images.Tests;

public sealed class RegistryUnitTests
{
    [Fact]
    public void AuthChallenge_ParsesBearerParameters_WithQuotesAndCommas()
    {
        var c = AuthChallenge.Parse("Bearer", "realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.example/token", c.Realm);
        Assert.Equal("registry.example", c.Service);
        Assert.Equal("repository:a/b:pull,push", c.Scope);

        var d = AuthChallenge.Parse("Basic", "realm=plain, charset=\"UTF-8\", x=\"esc\\\"aped\"");
        Assert.True(d.IsBasic);
        Assert.Equal("plain", d.Realm);
        Assert.Equal("esc\"aped", d.Parameters["x"]);
        Assert.Equal("UTF-8", d.Parameters["charset"]);
    }

    [Fact]
    public void Credentials_UserColonPass_PasswordMayHoldColons()
    {
        var c = RegistryCredentials.Parse("me:pa:ss");
        Assert.Equal("me", c.Username);
        Assert.Equal("pa:ss", c.Password);
        Assert.Equal("me:***", c.ToString());
        Assert.Equal(ErrorKind.InvalidDocument, Assert.Throws<CartonException>(() => RegistryCredentials.Parse("nopassword")).Kind);
        Assert.Throws<CartonException>(() => RegistryCredentials.Parse(":pass"));
    }

    [Fact]
    public void DockerConfig_FindsAuthByHost_UrlKeys_AndDockerHubAliases()
    {
        var dir = Directory.CreateTempSubdirectory("carton-dockercfg-").FullName;
        try
        {
            var path = Path.Combine(dir, "config.json");
            static string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
            File.WriteAllText(path, $$$"""
                {"auths":{
                  "https://index.docker.io/v1/":{"auth":"{{{B64("hub:hubpw")}}}"},
                  "reg.example:5000":{"auth":"{{{B64("u:p:w")}}}"},
                  "https://other.example/":{"username":"o","password":"op"}
                }}
                """);
            Assert.Equal(new RegistryCredentials("hub", "hubpw"), DockerConfig.Find("docker.io", path));
            Assert.Equal(new RegistryCredentials("u", "p:w"), DockerConfig.Find("reg.example:5000", path));
            Assert.Equal(new RegistryCredentials("o", "op"), DockerConfig.Find("other.example", path));
            Assert.Null(DockerConfig.Find("reg.example", path));
            Assert.Null(DockerConfig.Find("x.example", Path.Combine(dir, "missing.json")));

            File.WriteAllText(path, """{"auths":{"bad.example":{"auth":"not base64!"}}}""");
            var e = Assert.Throws<CartonException>(() => DockerConfig.Find("bad.example", path));
            Assert.Contains(path, e.Message);
            File.WriteAllText(path, "{");
            Assert.Equal(ErrorKind.InvalidDocument, Assert.Throws<CartonException>(() => DockerConfig.Find("bad.example", path)).Kind);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void DockerConfig_DefaultPath_FollowsDOCKER_CONFIG()
    {
        var old = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        try
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", "/tmp/some-docker-dir");
            Assert.Equal("/tmp/some-docker-dir/config.json", DockerConfig.DefaultPath());
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", null);
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json"), DockerConfig.DefaultPath());
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", old);
        }
    }

    private static Descriptor Entry(string arch, string? variant = null, string os = "linux") =>
        new() { Digest = $"sha256:{arch}{variant}", Platform = new Platform { Os = os, Architecture = arch, Variant = variant } };

    [Fact]
    public void PlatformMatcher_OsArchAndVariant()
    {
        Descriptor[] index = [Entry("amd64"), Entry("arm", "v6"), Entry("arm", "v7"), Entry("arm64"), Entry("amd64", os: "windows"),
            new Descriptor { Digest = "sha256:attestation", Platform = new Platform { Os = "unknown", Architecture = "unknown" } }];
        Assert.Same(index[0], PlatformMatcher.Select(index, PlatformMatcher.Parse("linux/amd64")));
        Assert.Same(index[4], PlatformMatcher.Select(index, PlatformMatcher.Parse("windows/amd64")));
        Assert.Same(index[1], PlatformMatcher.Select(index, PlatformMatcher.Parse("linux/arm/v6")));
        Assert.Same(index[2], PlatformMatcher.Select(index, PlatformMatcher.Parse("linux/arm/v7")));
        // arm64 without a variant is v8.
        Assert.Same(index[3], PlatformMatcher.Select(index, PlatformMatcher.Parse("linux/arm64/v8")));
        Assert.Null(PlatformMatcher.Select(index, PlatformMatcher.Parse("linux/s390x")));
        Assert.Null(PlatformMatcher.Select(index, PlatformMatcher.Parse("linux/arm/v5")));
        Assert.Throws<CartonException>(() => PlatformMatcher.Parse("linux"));
        Assert.Throws<CartonException>(() => PlatformMatcher.Parse("linux//v7"));
    }

    [Theory]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""", null, "application/vnd.oci.image.index.v1+json")]
    [InlineData("""{"schemaVersion":2,"manifests":[]}""", "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json")]
    [InlineData("""{"schemaVersion":2,"manifests":[]}""", "application/json", "application/vnd.oci.image.index.v1+json")]
    [InlineData("""{"schemaVersion":2,"config":{},"layers":[]}""", null, "application/vnd.oci.image.manifest.v1+json")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{}}""", "text/plain", "application/vnd.docker.distribution.manifest.v2+json")]
    public void ManifestDocuments_Classify(string body, string? contentType, string expected) =>
        Assert.Equal(expected, ManifestDocuments.Classify(System.Text.Encoding.UTF8.GetBytes(body), contentType, "test"));

    [Theory]
    [InlineData("""{"schemaVersion":1,"fsLayers":[]}""", null, ErrorKind.Unsupported, "schema 1")]
    [InlineData("""{"schemaVersion":2}""", "application/vnd.docker.distribution.manifest.v1+prettyjws", ErrorKind.Unsupported, "schema 1")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.foo+json"}""", null, ErrorKind.Unsupported, "application/vnd.foo+json")]
    [InlineData("""{"schemaVersion":2}""", "application/vnd.bar", ErrorKind.Unsupported, "application/vnd.bar")]
    [InlineData("""{"schemaVersion":3,"manifests":[]}""", null, ErrorKind.InvalidDocument, "schemaVersion is 3")]
    [InlineData("""[1,2]""", null, ErrorKind.InvalidDocument, "not an object")]
    [InlineData("""{"schemaVersion":2,""", null, ErrorKind.InvalidDocument, "malformed JSON")]
    public void ManifestDocuments_Refuse(string body, string? contentType, ErrorKind kind, string why)
    {
        var e = Assert.Throws<CartonException>(() => ManifestDocuments.Classify(System.Text.Encoding.UTF8.GetBytes(body), contentType, "image x: manifest y"));
        Assert.Equal(kind, e.Kind);
        Assert.Contains(why, e.Message);
        Assert.StartsWith("image x: manifest y: ", e.Message);
    }
}
