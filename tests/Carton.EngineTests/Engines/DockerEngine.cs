using Carton.EngineTests.Infrastructure;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.EngineTests.Engines;

/// <summary>
/// dockerd (Debian's docker.io) with carton added as a runtime and made the default (`--add-runtime`,
/// `--default-runtime`), in its own network namespace, data root, exec root and socket. It starts its own containerd
/// (under the exec root), which runs carton through the io.containerd.runc.v2 shim.
/// </summary>
public sealed class DockerEngine : Engine
{
    private const string Dockerd = "/usr/sbin/dockerd";
    private const string Docker = "/usr/bin/docker";
    private readonly NetworkNamespace _netns;
    private readonly string _socket;

    public DockerEngine() : base("dockerd")
    {
        try
        {
            Require(Dockerd, Docker);
            _netns = new NetworkNamespace("carton-e2e-dk");
            _socket = Path.Combine(StateDir, "docker.sock");
            var config = Path.Combine(StateDir, "daemon.json");
            File.WriteAllText(config, "{}"); // not /etc/docker/daemon.json
            Directory.CreateDirectory(Path.Combine(StateDir, "cli"));
            StartDaemon(_netns.Wrap(Dockerd,
                    "--config-file", config,
                    "--data-root", Path.Combine(StateDir, "data"),
                    "--exec-root", Path.Combine(StateDir, "exec"),
                    "--pidfile", Path.Combine(StateDir, "dockerd.pid"),
                    "-H", "unix://" + _socket,
                    "--add-runtime", "carton=" + Paths.Carton,
                    "--default-runtime", "carton"),
                () => File.Exists(_socket) && Cli(TimeSpan.FromSeconds(10), "version").Succeeded, TimeSpan.FromSeconds(90));
            var archive = WriteImageArchive("busybox.tar", Image, ["sh"]);
            Must("load", "-i", archive);
        }
        catch
        {
            // xunit never disposes a fixture whose constructor threw: leave nothing behind here.
            Dispose();
            throw;
        }
    }

    public override ProcessResult Cli(TimeSpan? timeout, params string[] args) =>
        ProcessRunner.Run(Docker, ["-H", "unix://" + _socket, .. args], timeout: timeout ?? TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(StateDir, "cli") });

    protected override void Shutdown()
    {
        try
        {
            var ids = Cli("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 0) Cli(["rm", "-f", .. ids]);
            StopDaemon(TimeSpan.FromSeconds(30));
        }
        finally
        {
            KillStragglers();
            _netns?.Dispose();
        }
    }
}
