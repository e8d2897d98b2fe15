using Carton.EngineTests.Infrastructure;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.EngineTests.Engines;

/// <summary>
/// containerd (Debian's) with its own config, root, state and socket, driven with ctr in a namespace of its own; each
/// `ctr run` names carton with `--runc-binary`, so the io.containerd.runc.v2 shim runs carton where it would run runc.
/// The CRI plugin is disabled here (the Kubernetes path has its own instance, see Cri/). ctr sets up no network: a
/// container gets a new network namespace with only lo, or the host's with --net-host (not used).
/// </summary>
public sealed class ContainerdEngine : Engine
{
    private const string Containerd = "/usr/bin/containerd";
    private const string Ctr = "/usr/bin/ctr";
    public const string Namespace = "carton-e2e";
    private readonly string _socket;

    public ContainerdEngine() : base("containerd")
    {
        try
        {
            Require(Containerd, Ctr, "/usr/bin/containerd-shim-runc-v2");
            _socket = Path.Combine(StateDir, "containerd.sock");
            var config = Path.Combine(StateDir, "config.toml");
            File.WriteAllText(config, $"""
                version = 2
                root = "{Path.Combine(StateDir, "root")}"
                state = "{Path.Combine(StateDir, "state")}"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "{_socket}"
                [ttrpc]
                  address = "{_socket}.ttrpc"
                [debug]
                  address = "{_socket}.debug"
                """);
            StartDaemon([Containerd, "--config", config],
                () => File.Exists(_socket) && Cli(TimeSpan.FromSeconds(10), "version").Succeeded, TimeSpan.FromSeconds(60));
            var archive = WriteImageArchive("busybox.tar", Image, ["sh"]);
            Must("images", "import", archive);
        }
        catch
        {
            // xunit never disposes a fixture whose constructor threw: leave nothing behind here.
            Dispose();
            throw;
        }
    }

    /// <summary>The root carton is given by the shim for this namespace (runc's default layout: /run/containerd/runc/&lt;ns&gt;).</summary>
    public static string RuntimeRoot => "/run/containerd/runc/" + Namespace;

    public override ProcessResult Cli(TimeSpan? timeout, params string[] args) =>
        ProcessRunner.Run(Ctr, ["-a", _socket, "-n", Namespace, .. args], timeout: timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>`ctr run` with carton as the runc binary: <paramref name="flags"/> go before the image.</summary>
    public ProcessResult Run(string id, string[] flags, params string[] command) =>
        Cli(["run", "--runc-binary", Paths.Carton, .. flags, Image, id, .. command]);

    protected override void Shutdown()
    {
        try
        {
            foreach (var line in Cli("tasks", "ls", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Cli("tasks", "kill", "-s", "KILL", line.Trim());
                Host.WaitFor(() => !Cli("tasks", "ls").Stdout.Contains("RUNNING", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
                Cli("tasks", "rm", "-f", line.Trim());
            }
            foreach (var line in Cli("containers", "ls", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Cli("containers", "rm", line.Trim());
            StopDaemon(TimeSpan.FromSeconds(20));
        }
        finally
        {
            KillStragglers();
            Host.RemoveStateDir(RuntimeRoot);
        }
    }
}
