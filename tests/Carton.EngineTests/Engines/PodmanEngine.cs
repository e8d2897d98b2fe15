using Carton.EngineTests.Infrastructure;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.EngineTests.Engines;

/// <summary>
/// podman (Debian's, daemonless: conmon runs carton) with `--runtime carton`, its own storage root, run root, tmp dir,
/// containers.conf and network config, every command inside the engine's own network namespace (netavark makes
/// its bridge and firewall rules there).
/// </summary>
public sealed class PodmanEngine : Engine
{
    private const string Podman = "/usr/bin/podman";
    private readonly NetworkNamespace _netns;
    private readonly Dictionary<string, string> _env;
    private readonly string[] _global;

    public PodmanEngine() : base("podman")
    {
        Require(Podman, "/usr/bin/conmon");
        _netns = new NetworkNamespace("carton-e2e-pm");
        var conf = Path.Combine(StateDir, "containers.conf");
        var netDir = Path.Combine(StateDir, "networks");
        Directory.CreateDirectory(netDir);
        // Files rather than the host's /etc/containers: the log driver must be a file (no journald here), events go
        // to a file, cgroups are managed directly (no systemd), and no registry is ever asked.
        File.WriteAllText(conf, $"""
            [containers]
            log_driver = "k8s-file"
            [engine]
            events_logger = "file"
            cgroup_manager = "cgroupfs"
            [network]
            network_config_dir = "{netDir}"
            """);
        var registries = Path.Combine(StateDir, "registries.conf");
        File.WriteAllText(registries, "unqualified-search-registries = []\n");
        _env = new Dictionary<string, string> { ["CONTAINERS_CONF"] = conf, ["CONTAINERS_REGISTRIES_CONF"] = registries };
        _global =
        [
            "--root", Path.Combine(StateDir, "root"),
            "--runroot", Path.Combine(StateDir, "run"),
            "--tmpdir", Path.Combine(StateDir, "tmp"),
            "--runtime", Paths.Carton,
            "--storage-driver", "overlay",
        ];
        var archive = WriteImageArchive("busybox.tar", Image, ["sh"]);
        Must("load", "-i", archive);
    }

    public override ProcessResult Cli(TimeSpan? timeout, params string[] args) =>
        ProcessRunner.Run("ip", _netns.Wrap([Podman, .. _global, .. args])[1..], timeout: timeout ?? TimeSpan.FromSeconds(60), environment: _env);

    protected override void Shutdown()
    {
        try
        {
            Cli("rm", "-a", "-f", "-t", "0");
            Cli("system", "prune", "-a", "-f");
        }
        finally
        {
            KillStragglers();
            _netns.Dispose();
        }
    }
}
