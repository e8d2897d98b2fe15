using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>
/// Debian's dockerd (20.10), started for the tests with everything of its own under a temp directory: --data-root,
/// --exec-root, --pidfile, a unix socket, an empty --config-file (not /etc/docker/daemon.json), no bridge and no
/// iptables (it serves `docker load` and `docker login`, and runs no container). It starts its own containerd under
/// the exec root. Stopped by its pid (SIGTERM, then SIGKILL), and its containerd by the pid file it wrote.
/// </summary>
public sealed class DockerdProcess : IDisposable
{
    public const string Dockerd = "/usr/sbin/dockerd";

    /// <summary>Debian's docker CLI (20.10), not whatever docker is first on the PATH.</summary>
    public const string DockerCli = "/usr/bin/docker";

    private readonly Process _process;
    private readonly string _log;

    public DockerdProcess()
    {
        Root = Directory.CreateTempSubdirectory("login16-dockerd-").FullName;
        Socket = Path.Combine(Root, "docker.sock");
        _log = Path.Combine(Root, "dockerd.log");
        var config = Path.Combine(Root, "daemon.json");
        File.WriteAllText(config, "{}");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "-c", $"exec \"$@\" </dev/null >>'{_log}' 2>&1", "dockerd", Dockerd,
                     "--config-file", config,
                     "--data-root", Path.Combine(Root, "data"),
                     "--exec-root", Path.Combine(Root, "exec"),
                     "--pidfile", Path.Combine(Root, "dockerd.pid"),
                     "-H", "unix://" + Socket,
                     "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                 })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!(File.Exists(Socket) && Docker(null, "version").Exit == 0))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = File.Exists(_log) ? File.ReadAllText(_log) : "";
                Dispose();
                throw new InvalidOperationException($"dockerd did not start:\n{log[Math.Max(0, log.Length - 4000)..]}");
            }
            Thread.Sleep(200);
        }
    }

    public string Root { get; }
    public string Socket { get; }

    /// <summary>Runs Debian's docker CLI against this daemon, with <paramref name="configDir"/> as its --config.</summary>
    public (int Exit, string Out, string Err) Docker(string? configDir, params string[] args) => DockerWith(configDir, null, null, args);

    public (int Exit, string Out, string Err) DockerWith(string? configDir, string? stdin, IDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo(DockerCli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-H");
        psi.ArgumentList.Add("unix://" + Socket);
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(configDir ?? Path.Combine(Root, "cli"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120))) p.Kill(true);
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
        _process.Dispose();
        // The containerd dockerd started: gone with it normally; by its pid file if not.
        var containerdPid = Path.Combine(Root, "exec", "containerd", "containerd.pid");
        if (File.Exists(containerdPid) && int.TryParse(File.ReadAllText(containerdPid).Trim(), out var pid))
        {
            try
            {
                using var c = Process.GetProcessById(pid);
                if (c.ProcessName.Contains("containerd", StringComparison.Ordinal)) c.Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        for (int i = 0; i < 5; i++)
        {
            try
            {
                // The data root may hold mounts (overlay2) that dockerd unmounts on shutdown.
                Directory.Delete(Root, recursive: true);
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(500);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(500);
            }
        }
    }
}
