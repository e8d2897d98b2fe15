using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Carton.Images.Registry;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>
/// The registries the tests pull from, all on 127.0.0.1, each with its storage under one temp directory:
/// <list type="bullet">
/// <item><see cref="Secure"/>: TLS (a certificate from the test CA) and htpasswd basic auth (bcrypt).</item>
/// <item><see cref="Plain"/>: no TLS, no auth; <see cref="Proxy"/> is a fault-injecting proxy in front of it.</item>
/// <item><see cref="Tokened"/>: token auth against <see cref="Tokens"/>, a token service written in the test.</item>
/// </list>
/// Every image of <see cref="TestImages.All"/> is pushed to Secure and Plain, the single-platform one to Tokened.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string User = "carton";
    public const string Password = "s3cret:with-colon";

    public RegistryFixture()
    {
        Root = Directory.CreateTempSubdirectory("carton-images-registry-").FullName;
        Certs = new TestCertificates(Path.Combine(Root, "pki"));
        var htpasswd = Path.Combine(Root, "htpasswd");
        File.WriteAllText(htpasswd, Run("htpasswd", "-Bbn", User, Password).Trim() + "\n");
        Secure = new RegistryProcess(Path.Combine(Root, "secure"), Certs.ServerCertPem, Certs.ServerKeyPem, htpasswd);
        Plain = new RegistryProcess(Path.Combine(Root, "plain"));
        Tokens = new TokenServer(Certs, User, Password);
        Tokened = new RegistryProcess(Path.Combine(Root, "tokened"),
            token: new TokenAuth(Tokens.Realm, TokenServer.Service, TokenServer.Issuer, Certs.CaPem));
        Proxy = new FaultProxy(Plain.BaseUri);
        CertsDirectory = Path.Combine(Root, "certs.d");
        Directory.CreateDirectory(Path.Combine(CertsDirectory, Secure.Host));
        File.Copy(Certs.CaPem, Path.Combine(CertsDirectory, Secure.Host, "ca.crt"));
    }

    public string Root { get; }
    public TestCertificates Certs { get; }
    public RegistryProcess Secure { get; }
    public RegistryProcess Plain { get; }
    public RegistryProcess Tokened { get; }
    public TokenServer Tokens { get; }
    public FaultProxy Proxy { get; }

    /// <summary>A certs.d directory with the test CA for <see cref="Secure"/>.</summary>
    public string CertsDirectory { get; }

    public async Task InitializeAsync()
    {
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        using (var secure = new Pusher(Secure.BaseUri, Certs.Ca, _ => basic))
        using (var plain = new Pusher(Plain.BaseUri, null, _ => null))
        {
            foreach (var image in TestImages.All)
            {
                await secure.PushAsync(image);
                await plain.PushAsync(image);
            }
        }
        using var tokened = new Pusher(Tokened.BaseUri, null, repository => new AuthenticationHeaderValue("Bearer",
            Tokens.Issue(TokenServer.Service, [new JsonObject { ["type"] = "repository", ["name"] = repository, ["actions"] = new JsonArray("pull", "push") }])));
        await tokened.PushAsync(TestImages.SingleOci);
    }

    /// <summary>Options for tests: fast retries, no ~/.docker/config.json, the fixture's certs.d.</summary>
    public RegistryOptions Options(RegistryCredentials? credentials = null) => new()
    {
        CertsDirectory = CertsDirectory,
        Credentials = credentials,
        IgnoreDockerConfig = true,
        MaxRetries = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        IdleTimeout = TimeSpan.FromSeconds(20),
        Platform = new Model.Platform { Os = "linux", Architecture = "amd64" },
    };

    public static RegistryCredentials Credentials => new(User, Password);

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    public Task DisposeAsync()
    {
        Proxy.Dispose();
        Secure.Dispose();
        Plain.Dispose();
        Tokened.Dispose();
        Tokens.Dispose();
        Certs.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}

/// <summary>A fresh store root under a temp directory, removed after the test.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Root = Directory.CreateTempSubdirectory("carton-images-store-").FullName;
        Store = new Content.ImageStore(Root);
    }

    public string Root { get; }
    public Content.ImageStore Store { get; }

    /// <summary>No blob whose content does not match its name, no partial file left in ingest/, an index that parses.</summary>
    public void AssertConsistent()
    {
        Assert.Empty(Store.Content.Verify());
        var ingest = Path.Combine(Root, "ingest");
        if (Directory.Exists(ingest)) Assert.Empty(Directory.EnumerateFileSystemEntries(ingest));
        _ = Store.List();
        Assert.Empty(Directory.EnumerateFiles(Root, "*.tmp", SearchOption.AllDirectories));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
