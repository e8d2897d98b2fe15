using System.Text;
using System.Text.Json.Nodes;
using Carton.Images.Registry;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>
/// Login, in the library: <see cref="RegistryClient.CheckLoginAsync"/> against the real registry (TLS + basic auth, and
/// token auth), and <see cref="DockerConfig"/> writing docker's config.json and running a credential helper.
/// </summary>
[Collection(RegistryCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoginTests(RegistryFixture registries) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("login16-lib-").FullName;

    private string ConfigPath => Path.Combine(_dir, "docker", "config.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RegistryOptions Options(string password)
    {
        var options = registries.Options(new RegistryCredentials(RegistryFixture.User, password));
        options.MaxRetries = 0;
        return options;
    }

    [Fact]
    public async Task CheckLogin_BasicAuth_AcceptsTheRightPasswordAndRefusesAWrongOne()
    {
        using (var good = new RegistryClient(registries.Secure.Host, Options(RegistryFixture.Password)))
            await good.CheckLoginAsync();
        using var bad = new RegistryClient(registries.Secure.Host, Options("wrong"));
        var e = await Assert.ThrowsAsync<CartonException>(() => bad.CheckLoginAsync());
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains($"login to registry {registries.Secure.Host}", e.Message);
        Assert.Contains($"user {RegistryFixture.User}", e.Message);
        Assert.Contains("401", e.Message);
    }

    [Fact]
    public async Task CheckLogin_TokenAuth_AsksATokenForTheAccountWithoutAScope()
    {
        int before = registries.Tokens.Requests.Count;
        using (var good = new RegistryClient(registries.Tokened.Host, Options(RegistryFixture.Password)))
            await good.CheckLoginAsync();
        var request = Assert.Single(registries.Tokens.Requests.Skip(before));
        Assert.Contains("account=" + RegistryFixture.User, request);
        Assert.DoesNotContain("scope=", request);
        using var bad = new RegistryClient(registries.Tokened.Host, Options("wrong"));
        var e = await Assert.ThrowsAsync<CartonException>(() => bad.CheckLoginAsync());
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("token service", e.Message);
    }

    [Fact]
    public async Task CheckLogin_RegistryWithoutAuth_Passes()
    {
        using var client = new RegistryClient(registries.Plain.Host, Options("anything"));
        await client.CheckLoginAsync();
    }

    [Fact]
    public async Task Store_KeepsEveryOtherField_WritesDockersAuth_Mode0600_AndEraseRemovesOnlyTheEntry()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        var original = new JsonObject
        {
            ["auths"] = new JsonObject { ["other.example:5000"] = new JsonObject { ["auth"] = B64("a:b"), ["email"] = "kept@example" } },
            ["psFormat"] = "table {{.ID}}",
            ["proxies"] = new JsonObject { ["default"] = new JsonObject { ["httpProxy"] = "http://127.0.0.1:3128" } },
            ["login16Unknown"] = new JsonArray(1, "two", new JsonObject { ["three"] = true }),
        };
        File.WriteAllText(ConfigPath, original.ToJsonString());
        File.SetUnixFileMode(ConfigPath, (UnixFileMode)0b110_100_100);

        var where = await DockerConfig.StoreAsync("127.0.0.1:5999", new RegistryCredentials("me", "p@ss:word+/="), ConfigPath);
        Assert.Equal(ConfigPath, where);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
        var text = File.ReadAllText(ConfigPath);
        Assert.Contains("\n\t\"auths\"", text); // docker's tab indentation
        var written = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(B64("me:p@ss:word+/="), (string?)written["auths"]!["127.0.0.1:5999"]!["auth"]);
        foreach (var field in new[] { "psFormat", "proxies", "login16Unknown" })
            Assert.True(JsonNode.DeepEquals(original[field], written[field]), field);
        Assert.True(JsonNode.DeepEquals(original["auths"]!["other.example:5000"], written["auths"]!["other.example:5000"]));
        Assert.Equal(new RegistryCredentials("me", "p@ss:word+/="), DockerConfig.Find("127.0.0.1:5999", ConfigPath));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(ConfigPath)!, "*.tmp"));

        Assert.True(await DockerConfig.EraseAsync("127.0.0.1:5999", ConfigPath));
        Assert.False(await DockerConfig.EraseAsync("127.0.0.1:5999", ConfigPath));
        var erased = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        Assert.Null(erased["auths"]!["127.0.0.1:5999"]);
        Assert.True(JsonNode.DeepEquals(original, erased));
        Assert.Null(DockerConfig.Find("127.0.0.1:5999", ConfigPath));
    }

    [Fact]
    public async Task Store_DockerHub_UsesDockersIndexKey_AndReplacesOtherSpellings()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, """{"auths":{"registry-1.docker.io":{"auth":"b2xkOm9sZA=="}}}""");
        await DockerConfig.StoreAsync(ImageReference.DockerHub, new RegistryCredentials("hub", "pw"), ConfigPath);
        var auths = JsonNode.Parse(File.ReadAllText(ConfigPath))!["auths"]!.AsObject();
        var entry = Assert.Single(auths);
        Assert.Equal("https://index.docker.io/v1/", entry.Key);
        Assert.Equal(new RegistryCredentials("hub", "pw"), DockerConfig.Find("docker.io", ConfigPath));
    }

    /// <summary>A first login, with no config.json and no docker config directory yet: both are made (the directory
    /// 0700, as docker makes it), not an error (scripts/try-registry.sh found it: every first login failed).</summary>
    [Fact]
    public async Task Store_WithoutTheConfigDirectory_MakesIt()
    {
        Assert.False(Directory.Exists(Path.GetDirectoryName(ConfigPath)));
        await DockerConfig.StoreAsync("127.0.0.1:5997", new RegistryCredentials("u", "p"), ConfigPath);
        Assert.Equal(new RegistryCredentials("u", "p"), DockerConfig.Find("127.0.0.1:5997", ConfigPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(ConfigPath)!));
    }

    [Fact]
    public async Task Store_ThroughASymlink_WritesTheTarget()
    {
        var real = Path.Combine(_dir, "real-config.json");
        File.WriteAllText(real, """{"credsStore":""}""");
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.CreateSymbolicLink(ConfigPath, real);
        await DockerConfig.StoreAsync("127.0.0.1:5998", new RegistryCredentials("u", "p"), ConfigPath);
        Assert.NotNull(new FileInfo(ConfigPath).LinkTarget);
        Assert.Equal(B64("u:p"), (string?)JsonNode.Parse(File.ReadAllText(real))!["auths"]!["127.0.0.1:5998"]!["auth"]);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON", "$")]
    [InlineData("""{"auths":[]}""", "auths is not an object", "auths")]
    [InlineData("""{"auths":{"127.0.0.1:5997":{"auth":"%%%"}}}""", "auths.\"127.0.0.1:5997\".auth is not base64", "auths.127.0.0.1:5997.auth")]
    [InlineData("""{"credsStore":7}""", "credsStore is not a string", "credsStore")]
    [InlineData("""{"credsStore":"../../bin/sh"}""", "is not a credential helper name", null)]
    public async Task BadConfig_IsAnErrorNamingTheFileAndField_AndTheFileIsLeftAsItWas(string content, string message, string? path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, content);
        var find = Assert.Throws<CartonException>(() => DockerConfig.Find("127.0.0.1:5997", ConfigPath));
        Assert.Equal(ErrorKind.InvalidDocument, find.Kind);
        Assert.Contains(message, find.Message);
        if (!message.Contains("helper name", StringComparison.Ordinal)) Assert.Contains(ConfigPath, find.Message);
        if (path is not null) Assert.StartsWith(path, find.JsonPath);
        if (!content.Contains("%%%", StringComparison.Ordinal))
            await Assert.ThrowsAsync<CartonException>(() => DockerConfig.StoreAsync("127.0.0.1:5997", new RegistryCredentials("u", "p"), ConfigPath));
        Assert.Equal(content, File.ReadAllText(ConfigPath));
        Assert.Single(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(ConfigPath)!));
    }

    [Fact]
    public async Task CredentialHelper_StoreGetListErase_SpeakTheProtocol()
    {
        var helperDir = new TestCredentialHelper(Path.Combine(_dir, "helper"));
        var helper = new CredentialHelper(TestCredentialHelper.Name, "test");
        // The library finds helpers on the PATH; prepending a directory holding only the test helper changes
        // nothing for other lookups.
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", helperDir.SearchPath);
        try
        {
            Assert.Null(await helper.GetAsync("127.0.0.1:5996"));
            await helper.StoreAsync("127.0.0.1:5996", new RegistryCredentials("u1", "secret \"quoted\" \\ value"));
            await helper.StoreAsync("https://index.docker.io/v1/", new RegistryCredentials("hub", "x"));
            Assert.Equal(new RegistryCredentials("u1", "secret \"quoted\" \\ value"), await helper.GetAsync("127.0.0.1:5996"));
            var list = await helper.ListAsync();
            Assert.Equal("u1", list["127.0.0.1:5996"]);
            Assert.Equal("hub", list["https://index.docker.io/v1/"]);
            Assert.True(await helper.EraseAsync("127.0.0.1:5996"));
            Assert.False(await helper.EraseAsync("127.0.0.1:5996"));
            Assert.Null(await helper.GetAsync("127.0.0.1:5996"));

            // config.json: credHelpers for one registry wins over credsStore; auths keeps an empty entry.
            Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
            File.WriteAllText(ConfigPath, new JsonObject
            {
                ["credsStore"] = "login16-missing",
                ["credHelpers"] = new JsonObject { ["127.0.0.1:5995"] = TestCredentialHelper.Name },
            }.ToJsonString());
            var where = await DockerConfig.StoreAsync("127.0.0.1:5995", new RegistryCredentials("u2", "p2"), ConfigPath);
            Assert.Equal("docker-credential-" + TestCredentialHelper.Name, where);
            var written = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
            Assert.Empty(written["auths"]!["127.0.0.1:5995"]!.AsObject());
            Assert.Contains("\"u2\"", helperDir.Store);
            Assert.Equal(new RegistryCredentials("u2", "p2"), DockerConfig.Find("127.0.0.1:5995", ConfigPath));

            // Another registry goes to credsStore, whose program is missing: an error naming it and where it was named.
            var e = Assert.Throws<CartonException>(() => DockerConfig.Find("127.0.0.1:5994", ConfigPath));
            Assert.Equal(ErrorKind.NotFound, e.Kind);
            Assert.Contains("docker-credential-login16-missing", e.Message);
            Assert.Contains($"credsStore in {ConfigPath}", e.Message);

            Assert.True(await DockerConfig.EraseAsync("127.0.0.1:5995", ConfigPath));
            Assert.DoesNotContain("127.0.0.1:5995", helperDir.Store);
            Assert.Null(JsonNode.Parse(File.ReadAllText(ConfigPath))!["auths"]!["127.0.0.1:5995"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
