using System.Diagnostics;
using System.Text;

namespace Carton.Docker.Tests;

/// <summary>
/// Debian's docker-registry on 127.0.0.1 of a network namespace (plain HTTP; basic auth when given an htpasswd), its storage under a temp
/// directory; killed by its pid on dispose. Started with `nsenter --net=/run/netns/NAME` (network only: the mount
/// namespace stays the host's); the namespace is the fixture's own, so its port is fixed. The pattern of
/// tests/Carton.Images.Tests/Infrastructure/RegistryProcess.cs, copied (a test project references no other).
/// </summary>
public sealed class TestRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    /// <param name="directory">Its config and storage.</param>
    /// <param name="netns">The network namespace (/run/netns/NAME) it listens in.</param>
    /// <param name="port">Its port on that namespace's loopback.</param>
    /// <param name="htpasswd">An htpasswd file (bcrypt entries): the registry then asks for basic auth.</param>
    public TestRegistry(string directory, string netns, int port, string? htpasswd = null)
    {
        Directory.CreateDirectory(directory);
        Port = port;
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
        if (htpasswd is not null)
            config += $"""
                auth:
                  htpasswd:
                    realm: carton-test
                    path: {htpasswd}

                """;
        var configPath = Path.Combine(directory, "config.yml");
        File.WriteAllText(configPath, config);
        // nsenter execs the registry (no --fork): the pid is the registry's own
        var psi = new ProcessStartInfo("nsenter", [$"--net=/run/netns/{netns}", "--", Binary, "serve", configPath])
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

    /// <summary>Until the registry listens: its own /proc/PID/net/tcp shows its namespace's sockets (this process,
    /// in the host's namespace, cannot connect there).</summary>
    private void WaitListening()
    {
        var local = $"0100007F:{Port:X4}";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited {_process.ExitCode}: {Log}");
            try
            {
                // "sl local_address rem_address st ...": st 0A is LISTEN
                if (File.ReadLines($"/proc/{_process.Id}/net/tcp").Skip(1)
                    .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .Any(f => f.Length > 3 && f[1] == local && f[3] == "0A"))
                    return;
            }
            catch (IOException)
            {
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"docker-registry did not listen on {Port}: {Log}");
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
