using System.Text.Json.Nodes;
using Carton.Images.Formats;
using Carton.Images.Model;
using Carton.Images.Registry;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

/// <summary>Starts Debian's dockerd for <see cref="DockerInteropTests"/>, once for the class.</summary>
public sealed class DockerdFixture : IDisposable
{
    public DockerdProcess Daemon { get; } = new();

    public void Dispose() => Daemon.Dispose();
}

/// <summary>
/// Carton and Debian's docker (dockerd and CLI 20.10, started by the test on its own state): `docker load` of Carton's
/// docker-archive, and docker's and Carton's logins read and written in one config.json, directly and through a
/// credential helper.
/// </summary>
[Collection(RegistryCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerInteropTests(RegistryFixture registries, DockerdFixture docker) : IDisposable, IClassFixture<DockerdFixture>
{
    private readonly TempStore _temp = new();
    private readonly string _work = Directory.CreateTempSubdirectory("login16-docker-").FullName;

    public void Dispose()
    {
        _temp.Dispose();
        Directory.Delete(_work, true);
    }

    private DockerdProcess Daemon => docker.Daemon;

    public static TheoryData<int> Images => new() { 0, 2 }; // an OCI manifest, a Docker schema 2 one

    [Theory]
    [MemberData(nameof(Images))]
    public async Task DockerLoad_OfTheDockerArchive_ListsTheImage_WithTheConfigDigestAsItsId(int which)
    {
        var image = TestImages.All[which];
        var reference = $"{registries.Plain.Host}/{image.Repository}:{image.Tag}";
        var options = registries.Options();
        await _temp.Store.PullAsync(reference, options);
        var second = $"login16.example/loaded-{which}:v2";
        await _temp.Store.TagAsync(reference, second);
        var file = Path.Combine(_work, "docker.tar");
        await using (var output = File.Create(file))
            await ImageExporter.ExportAsync(_temp.Store, [reference, second], output, ExportFormat.Docker);

        var load = Daemon.Docker(null, "load", "-i", file);
        Assert.True(load.Exit == 0, $"docker load: {load.Exit}\n{load.Out}\n{load.Err}");
        try
        {
            var config = image.Manifests[0].Config.Digest.ToString();
            foreach (var name in new[] { reference, second })
            {
                var id = Daemon.Docker(null, "image", "inspect", "--format", "{{.Id}}", name);
                Assert.True(id.Exit == 0, $"{name}: {id.Err}");
                Assert.Equal(config, id.Out.Trim());
            }
            var layers = Daemon.Docker(null, "image", "inspect", "--format", "{{json .RootFS.Layers}}", reference);
            Assert.Equal(JsonNode.Parse(image.Manifests[0].Config.Content)!["rootfs"]!["diff_ids"]!.ToJsonString(), layers.Out.Trim());
        }
        finally
        {
            Daemon.Docker(null, "rmi", "-f", reference, second);
        }
    }

    [Fact]
    public async Task DockerLogin_IsReadByCarton_AndCartonsLogin_IsRemovedByDockerLogout()
    {
        var configDir = Path.Combine(_work, "config");
        Directory.CreateDirectory(configDir);
        var configPath = Path.Combine(configDir, "config.json");
        File.WriteAllText(configPath, """{"detachKeys":"ctrl-e,e","login16":{"kept":true}}""");

        // dockerd checks the login (a registry without auth accepts anyone), and the CLI writes config.json.
        var login = Daemon.DockerWith(configDir, "docker-pw\n", null, "login", "-u", "docker-user", "--password-stdin", registries.Plain.Host);
        Assert.True(login.Exit == 0, $"docker login: {login.Out}\n{login.Err}");
        Assert.Equal(new RegistryCredentials("docker-user", "docker-pw"), DockerConfig.Find(registries.Plain.Host, configPath));

        // Carton writes another registry's login; docker's CLI reads the file and removes it, keeping the rest.
        await DockerConfig.StoreAsync("127.0.0.1:5993", new RegistryCredentials("carton-user", "carton-pw"), configPath);
        var logout = Daemon.Docker(configDir, "logout", "127.0.0.1:5993");
        Assert.True(logout.Exit == 0, logout.Err);
        Assert.Contains("Removing login credentials for 127.0.0.1:5993", logout.Out);
        var after = JsonNode.Parse(File.ReadAllText(configPath))!;
        Assert.Null(after["auths"]!["127.0.0.1:5993"]);
        Assert.NotNull(after["auths"]![registries.Plain.Host]);
        Assert.Equal("ctrl-e,e", (string?)after["detachKeys"]);
        // docker's CLI itself drops fields it does not know when it rewrites the file (Carton keeps them).
        Assert.Null(after["login16"]);
    }

    [Fact]
    public async Task ThroughACredentialHelper_DockersLoginIsReadByCarton_AndCartonsIsErasedByDocker()
    {
        var helper = new TestCredentialHelper(Path.Combine(_work, "helper"));
        var configDir = Path.Combine(_work, "config");
        Directory.CreateDirectory(configDir);
        var configPath = Path.Combine(configDir, "config.json");
        File.WriteAllText(configPath, $$"""{"credsStore":"{{TestCredentialHelper.Name}}"}""");
        var env = new Dictionary<string, string> { ["PATH"] = helper.SearchPath };

        var login = Daemon.DockerWith(configDir, "helper-pw\n", env, "login", "-u", "helper-user", "--password-stdin", registries.Plain.Host);
        Assert.True(login.Exit == 0, $"docker login: {login.Out}\n{login.Err}");
        Assert.Contains("store", helper.Log);
        Assert.DoesNotContain("helper-pw", File.ReadAllText(configPath));

        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", helper.SearchPath);
        try
        {
            Assert.Equal(new RegistryCredentials("helper-user", "helper-pw"), DockerConfig.Find(registries.Plain.Host, configPath));
            await DockerConfig.StoreAsync("127.0.0.1:5992", new RegistryCredentials("c-user", "c-pw"), configPath);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
        Assert.Contains("c-user", helper.Store);
        var logout = Daemon.DockerWith(configDir, null, env, "logout", "127.0.0.1:5992");
        Assert.True(logout.Exit == 0, logout.Err);
        Assert.Contains("Removing login credentials for 127.0.0.1:5992", logout.Out);
        Assert.DoesNotContain("c-user", helper.Store);
        Assert.Contains("helper-user", helper.Store);
    }
}
