using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>
/// A token service for the registry's token auth (Docker's token authentication spec), on HttpListener at
/// 127.0.0.1: GET /token?service=…&amp;scope=… with basic credentials answers a JWT (RS256, the signing certificate in
/// the x5c header, signed by the test CA that the registry's rootcertbundle holds) granting the asked actions.
/// Records every request so tests can count them (the client caches a token per scope).
/// </summary>
public sealed class TokenServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly TestCertificates _certs;
    private readonly string _user;
    private readonly string _password;
    private readonly List<string> _requests = [];
    private readonly Task _loop;

    public const string Service = "carton-test-registry";
    public const string Issuer = "carton-test-issuer";

    public TokenServer(TestCertificates certs, string user, string password)
    {
        _certs = certs;
        _user = user;
        _password = password;
        Port = RegistryProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Realm => $"http://127.0.0.1:{Port}/token";

    /// <summary>The query strings of the token requests so far.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests) return [.. _requests];
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                Handle(context);
            }
            catch (Exception e)
            {
                context.Response.StatusCode = 500;
                var body = Encoding.UTF8.GetBytes(e.ToString());
                context.Response.OutputStream.Write(body);
                context.Response.Close();
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var query = context.Request.QueryString;
        lock (_requests) _requests.Add(context.Request.Url!.Query);
        var auth = context.Request.Headers["Authorization"];
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}"));
        if (auth != expected)
        {
            context.Response.StatusCode = 401;
            context.Response.Close();
            return;
        }
        var access = new JsonArray();
        foreach (var scope in query.GetValues("scope") ?? [])
        {
            // repository:NAME:ACTIONS (the name may hold ':' only in a registry-qualified form; these tests' do not)
            var parts = scope.Split(':');
            if (parts.Length != 3) continue;
            access.Add(new JsonObject
            {
                ["type"] = parts[0],
                ["name"] = parts[1],
                ["actions"] = new JsonArray([.. parts[2].Split(',').Select(a => (JsonNode)a)]),
            });
        }
        var token = Issue(query["service"] ?? "", access);
        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["token"] = token, ["expires_in"] = 300 });
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(body);
        context.Response.Close();
    }

    /// <summary>A JWT the registry accepts: RS256 over header.claims, the signer's chain in x5c.</summary>
    public string Issue(string audience, JsonArray access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_certs.Signer.RawData)),
        };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = _user,
            ["aud"] = audience,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = B64(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        using var rsa = _certs.Signer.GetRSAPrivateKey()!;
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + B64(signature);
    }

    private static string B64(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }
    }
}
