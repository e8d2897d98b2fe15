using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests.Cli;

/// <summary>
/// `carton image login|logout|tag|export` black-box, through the published binaries: a login checked against the real
/// TLS + basic auth registry and saved where the next pull finds it (the file, or a credential helper), tags, exports
/// to a file and to stdout, and the bad input each refuses, leaving nothing behind.
/// </summary>
[Collection(RegistryCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoginTagExportCliTests(RegistryFixture registries) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("login16-cli-").FullName;

    private static readonly string Carton = RepoPaths.Carton;

    private string ImageRoot => Path.Combine(_dir, "store");
    private string ConfigDir => Path.Combine(_dir, "docker");
    private string ConfigPath => Path.Combine(ConfigDir, "config.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Exit, string Out, string Err) Image(string? stdin, IDictionary<string, string>? env, params string[] args) =>
        ImageIn(ImageRoot, stdin, env, args);

    private (int Exit, string Out, string Err) ImageIn(string root, string? stdin, IDictionary<string, string>? env, params string[] args)
    {
        Assert.True(File.Exists(Carton), $"{Carton} is missing: run scripts/build.sh");
        var psi = new ProcessStartInfo(Carton, ["image", "--image-root", root, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.Environment["DOCKER_CONFIG"] = ConfigDir;
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var outBuffer = new MemoryStream();
        var o = p.StandardOutput.BaseStream.CopyToAsync(outBuffer);
        var e = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120))) p.Kill(true);
        p.WaitForExit();
        o.Wait();
        LastStdout = outBuffer.ToArray();
        return (p.ExitCode, Encoding.UTF8.GetString(LastStdout), e.Result);
    }

    private byte[] LastStdout { get; set; } = [];

    private (int Exit, string Out, string Err) Image(params string[] args) => Image(null, null, args);

    private string SecureReference => $"{registries.Secure.Host}/{TestImages.SingleOci.Repository}:{TestImages.SingleOci.Tag}";

    private (int Exit, string Out, string Err) PullSecure(IDictionary<string, string>? env = null) =>
        Image(null, env, "pull", "-q", "--cert-dir", registries.CertsDirectory, "--platform", "linux/amd64", SecureReference);

    private (int Exit, string Out, string Err) Login(string password, IDictionary<string, string>? env = null) =>
        Image(password + "\n", env, "login", "--cert-dir", registries.CertsDirectory, "-u", RegistryFixture.User, "--password-stdin", registries.Secure.Host);

    [Fact]
    public void Login_Pull_Logout_ThePullFindsTheCredentials_AndAfterLogoutIsRefused()
    {
        Directory.CreateDirectory(ConfigDir);
        File.WriteAllText(ConfigPath, """{"auths":{"other.example":{"auth":"dTpw"}},"login16":[1,2,3]}""");
        var refused = PullSecure();
        Assert.NotEqual(0, refused.Exit);

        var login = Login(RegistryFixture.Password);
        Assert.True(login.Exit == 0, $"login: {login.Exit}\n{login.Err}");
        Assert.Contains("Login Succeeded", login.Out);
        var config = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RegistryFixture.User}:{RegistryFixture.Password}")),
            (string?)config["auths"]![registries.Secure.Host]!["auth"]);
        Assert.Equal("dTpw", (string?)config["auths"]!["other.example"]!["auth"]);
        Assert.Equal("[1,2,3]", config["login16"]!.ToJsonString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));

        var pull = PullSecure();
        Assert.True(pull.Exit == 0, $"pull after login: {pull.Err}");
        Assert.Equal(TestImages.SingleOci.TopDigest.ToString(), pull.Out.Trim());

        var logout = Image("logout", registries.Secure.Host);
        Assert.Equal(0, logout.Exit);
        Assert.Contains($"Removing login credentials for {registries.Secure.Host}", logout.Out);
        Assert.Null(JsonNode.Parse(File.ReadAllText(ConfigPath))!["auths"]![registries.Secure.Host]);
        Assert.Contains("Not logged in", Image("logout", registries.Secure.Host).Out);
        Image("rm", SecureReference);
        var again = PullSecure();
        Assert.NotEqual(0, again.Exit);
        Assert.Contains("requires authentication", again.Err);
    }

    [Fact]
    public void Login_WithAWrongPassword_FailsNamingTheUser_AndWritesNothing()
    {
        Directory.CreateDirectory(ConfigDir);
        const string before = """{"psFormat":"x"}""";
        File.WriteAllText(ConfigPath, before);
        var login = Login("wrong");
        Assert.NotEqual(0, login.Exit);
        Assert.Contains($"login to registry {registries.Secure.Host}", login.Err);
        Assert.Contains($"user {RegistryFixture.User}", login.Err);
        Assert.Equal(before, File.ReadAllText(ConfigPath));
        Assert.Single(Directory.EnumerateFileSystemEntries(ConfigDir));
    }

    [Fact]
    public void Login_ThroughACredentialHelper_ThePullReadsItThroughTheHelper()
    {
        var helper = new TestCredentialHelper(Path.Combine(_dir, "helper"));
        var env = new Dictionary<string, string> { ["PATH"] = helper.SearchPath };
        Directory.CreateDirectory(ConfigDir);
        File.WriteAllText(ConfigPath, new JsonObject { ["credHelpers"] = new JsonObject { [registries.Secure.Host] = TestCredentialHelper.Name } }.ToJsonString());

        var login = Login(RegistryFixture.Password, env);
        Assert.True(login.Exit == 0, $"login: {login.Err}");
        Assert.Contains("docker-credential-carton-test", login.Out);
        Assert.DoesNotContain(RegistryFixture.Password, File.ReadAllText(ConfigPath));
        var stored = JsonNode.Parse(helper.Store)![registries.Secure.Host]!;
        Assert.Equal(RegistryFixture.Password, (string?)stored["Secret"]);

        var pull = PullSecure(env);
        Assert.True(pull.Exit == 0, $"pull through the helper: {pull.Err}");
        Assert.Contains("get", helper.Log);

        Assert.Equal(0, Image(null, env, "logout", registries.Secure.Host).Exit);
        Assert.Contains("erase", helper.Log);
        Assert.Null(JsonNode.Parse(helper.Store)![registries.Secure.Host]);

        // The helper gone from the PATH: an error naming the program and where config.json named it.
        var missing = PullSecure(new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" });
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("docker-credential-carton-test", missing.Err);
        Assert.Contains("credHelpers", missing.Err);
    }

    [Theory]
    [InlineData("--password-stdin needs --username", "login", "--password-stdin", "127.0.0.1:5000")]
    [InlineData("mutually exclusive", "login", "-u", "a", "-p", "b", "--password-stdin", "127.0.0.1:5000")]
    [InlineData("\"Bad Host!\" is not a registry", "login", "-u", "a", "-p", "b", "Bad Host!")]
    [InlineData("standard input is not a terminal", "login", "127.0.0.1:5000")]
    [InlineData("\"Bad Host!\" is not a registry", "logout", "Bad Host!")]
    public void Login_BadInput_IsRefusedNamingTheFlag_AndWritesNothing(string message, params string[] args)
    {
        var result = Image("", null, args);
        Assert.NotEqual(0, result.Exit);
        Assert.Contains(message, result.Err);
        Assert.False(Directory.Exists(ConfigDir));
    }

    private string PullPlain(string repository = "carton/single")
    {
        var reference = $"{registries.Plain.Host}/{repository}:1";
        var pull = Image("pull", "-q", "--platform", "linux/amd64", reference);
        Assert.True(pull.Exit == 0, pull.Err);
        return reference;
    }

    [Fact]
    public void Tag_GivesASecondName_ByNameOrDigest_AndRefusesWhatItCannot()
    {
        var reference = PullPlain();
        var digest = TestImages.SingleOci.TopDigest.ToString();
        Assert.Equal(0, Image("tag", reference, "login16/app:v1").Exit);
        Assert.Equal(0, Image("tag", digest, "127.0.0.1:5990/login16/app").Exit);
        var ls = JsonNode.Parse(Image("ls", "--format", "json").Out)!.AsArray();
        Assert.Equal(3, ls.Count);
        Assert.All(ls, e => Assert.Equal(digest, (string?)e!["digest"]));
        Assert.Contains(ls, e => (string?)e!["name"] == "docker.io/login16/app:v1");
        Assert.Contains(ls, e => (string?)e!["name"] == "127.0.0.1:5990/login16/app:latest");

        var absent = Image("tag", "login16/absent:1", "login16/x:1");
        Assert.NotEqual(0, absent.Exit);
        Assert.Contains("no image \"login16/absent:1\"", absent.Err);
        var byDigest = Image("tag", reference, $"login16/x@{digest}");
        Assert.NotEqual(0, byDigest.Exit);
        Assert.Contains("a tag cannot be made by digest", byDigest.Err);
        var bad = Image("tag", reference, "UPPER/Case:1");
        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("UPPER/Case:1", bad.Err);
        Assert.Equal(3, JsonNode.Parse(Image("ls", "--format", "json").Out)!.AsArray().Count);
    }

    [Fact]
    public void Export_ToAFileAndToStdout_GivesTheSameBytes_AndBadInputLeavesNoFile()
    {
        var reference = PullPlain();
        foreach (var format in new[] { "oci", "docker" })
        {
            var file = Path.Combine(_dir, $"out-{format}.tar");
            var export = Image("export", "--format", format, reference, file);
            Assert.True(export.Exit == 0, export.Err);
            var stdout = Image("export", "--format", format, reference, "-");
            Assert.Equal(0, stdout.Exit);
            Assert.Equal(File.ReadAllBytes(file), LastStdout);
            using var fresh = new TempStore();
            var import = ImageIn(fresh.Root, null, null, "import", file);
            Assert.True(import.Exit == 0, import.Err);
            Assert.Contains($"{reference}: {TestImages.SingleOci.TopDigest}", import.Out);
        }

        var target = Path.Combine(_dir, "bad.tar");
        foreach (var args in new[]
                 {
                     new[] { "export", reference, "login16/absent:1", target },
                     ["export", "--format", "zip", reference, target],
                     ["export", reference, Path.Combine(_dir, "no-such-dir", "x.tar")],
                 })
        {
            var r = Image(args);
            Assert.NotEqual(0, r.Exit);
            Assert.False(File.Exists(target));
        }
        Assert.Contains("--format: \"zip\" is not oci or docker", Image("export", "--format", "zip", reference, target).Err);
        Assert.Contains("login16/absent:1", Image("export", reference, "login16/absent:1", target).Err);
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.partial"));
    }
}
