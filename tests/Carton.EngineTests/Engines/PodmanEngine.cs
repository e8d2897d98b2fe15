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
        try
        {
            Require(Podman, "/usr/bin/conmon");
            _netns = new NetworkNamespace("carton-e2e-pm");
            var conf = Path.Combine(StateDir, "containers.conf");
            var netDir = Path.Combine(StateDir, "networks");
            Directory.CreateDirectory(netDir);
            // Files rather than the host's /etc/containers: the log driver must be a file (no journald here), events go
            // to a file, cgroups are managed directly (no systemd), and no registry is ever asked. Rootful podman gives
            // every container RLIMIT_NOFILE 1048576 unless told otherwise; above the caller's hard limit that needs
            // CAP_SYS_RESOURCE, which some hosts (this VM) lack, and runc and carton then both fail the setrlimit: the
            // caller's own hard limit is asked instead. The same for RLIMIT_NPROC: podman 4.3 sets its own to 32768
            // when it starts, then asks the runtime for more (EPERM under runc too).
            var nofile = HardNofile();
            File.WriteAllText(conf, $"""
                [containers]
                log_driver = "k8s-file"
                default_ulimits = ["nofile={nofile}:{nofile}", "nproc=32768:32768"]
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
        catch
        {
            // xunit never disposes a fixture whose constructor threw: leave nothing behind here.
            Dispose();
            throw;
        }
    }

    /// <summary>The hard RLIMIT_NOFILE of this process (/proc/self/limits).</summary>
    private static string HardNofile() =>
        File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];

    public override ProcessResult Cli(TimeSpan? timeout, params string[] args) =>
        ProcessRunner.Run("nsenter", _netns.Wrap([Podman, .. _global, .. args])[1..], timeout: timeout ?? TimeSpan.FromSeconds(60), environment: _env);

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
            _netns?.Dispose();
        }
    }
}
