using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>
/// Debian's docker-registry (distribution 2.8.2) on 127.0.0.1 with a free port and its storage under a temp
/// directory: plain, TLS with basic auth (htpasswd, bcrypt), or token auth. Killed (by its pid) on dispose.
/// </summary>
public sealed class RegistryProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public RegistryProcess(string directory, string? tlsCert = null, string? tlsKey = null, string? htpasswd = null,
        TokenAuth? token = null)
    {
        Directory.CreateDirectory(directory);
        Port = FreePort();
        var config = new StringBuilder($"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
              secret: carton-test-secret

            """);
        if (tlsCert is not null)
            config.Append($"""
                  tls:
                    certificate: {tlsCert}
                    key: {tlsKey}

                """);
        if (htpasswd is not null)
            config.Append($"""
                auth:
                  htpasswd:
                    realm: carton-test
                    path: {htpasswd}

                """);
        if (token is not null)
            config.Append($"""
                auth:
                  token:
                    realm: {token.Realm}
                    service: {token.Service}
                    issuer: {token.Issuer}
                    rootcertbundle: {token.RootCertBundle}

                """);
        var configPath = Path.Combine(directory, "config.yml");
        File.WriteAllText(configPath, config.ToString());
        Scheme = tlsCert is null ? "http" : "https";
        var psi = new ProcessStartInfo("/usr/bin/docker-registry", ["serve", configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitListening();
    }

    public int Port { get; }
    public string Scheme { get; }

    /// <summary>host:port as an image reference names it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public Uri BaseUri => new($"{Scheme}://{Host}");

    /// <summary>What the registry logged (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    private void WaitListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited {_process.ExitCode}: {Log}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"docker-registry did not listen on {Port}: {Log}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>The registry's auth.token settings.</summary>
public sealed record TokenAuth(string Realm, string Service, string Issuer, string RootCertBundle);
