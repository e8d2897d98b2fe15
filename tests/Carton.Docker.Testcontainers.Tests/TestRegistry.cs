using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Carton.Docker.Testcontainers.Tests;

/// <summary>
/// Debian's docker-registry on 127.0.0.1 (a free port, plain HTTP, no auth), its storage under a temp directory;
/// killed by its pid on dispose. The pattern of tests/Carton.Images.Tests/Infrastructure/RegistryProcess.cs, copied
/// (a test project references no other).
/// </summary>
public sealed class TestRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public TestRegistry(string directory)
    {
        Directory.CreateDirectory(directory);
        Port = FreePort();
        var config = $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
              secret: carton-test-secret

            """;
        var configPath = Path.Combine(directory, "config.yml");
        File.WriteAllText(configPath, config);
        var psi = new ProcessStartInfo(Binary, ["serve", configPath])
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

    /// <summary>host:port as an image reference names it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
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

    private static int FreePort()
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
