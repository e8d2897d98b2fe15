using System.Diagnostics;
using System.Text;
using Carton.EngineTests.Infrastructure;
using Carton.IntegrationTests.Infrastructure;
using Grpc.Core;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Carton.EngineTests.Cri;

/// <summary>
/// A containerd of the tests' own with its CRI plugin on, as a kubelet would talk to it: its config, root, state,
/// socket and log all under one fresh directory, and a runtime handler "carton" that makes the runc shim
/// (io.containerd.runc.v2) run carton instead of runc. Both images (busybox, and the pause image that holds each pod's
/// namespaces) are built here and imported into the "k8s.io" namespace, so nothing is ever pulled.
/// Pods must use the host's network (NamespaceOption.Network = Node): no CNI plugin is installed or configured, and
/// none is needed then, so the only sockets containerd opens are its unix sockets and a stream server on loopback.
/// On dispose it stops containerd and removes every shim, process, mount, cgroup and file it caused, whatever state
/// a failed test left.
/// </summary>
public sealed class CriContainerd : IAsyncLifetime
{
    /// <summary>The CRI plugin's namespace in containerd.</summary>
    public const string Namespace = "k8s.io";

    /// <summary>The runtime handler whose shim runs carton (a RuntimeClass's `handler`).</summary>
    public const string Handler = "carton";

    public const string BusyboxImage = "carton.test/busybox:1";

    /// <summary>The sandbox image: sleeps until SIGTERM or SIGINT, like the real pause binary.</summary>
    public const string PauseImage = "carton.test/pause:1";

    private const string Containerd = "/usr/bin/containerd";
    private const string Ctr = "/usr/bin/ctr";

    private readonly IMessageSink _diagnostics;
    private Process? _containerd;
    private CriClient? _client;

    /// <param name="diagnostics">where the cleanup says what it had to remove (xunit's diagnostic messages: shown with
    /// `-- xUnit.DiagnosticMessages=true`).</param>
    public CriContainerd(IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
        Dir = Paths.NewStateDir("cri");
        // A pod's cgroup_parent, as the kubelet's kubepods/pod<uid>: carton makes each container's cgroup below it,
        // and the tests check that nothing is left there. Absolute, so it is taken from each hierarchy's root.
        CgroupParent = "/" + Path.GetFileName(Dir);
    }

    /// <summary>Everything of this containerd: config, root, state, sockets, log, image archives, pod logs.</summary>
    public string Dir { get; }

    public string Socket => Path.Combine(Dir, "containerd.sock");
    public string ConfigFile => Path.Combine(Dir, "config.toml");
    public string LogFile => Path.Combine(Dir, "containerd.log");

    /// <summary>
    /// The shim's `Root` option: carton's --root is this plus the namespace. Left unset, the shim would use
    /// /run/containerd/runc, shared with any other containerd on the host.
    /// </summary>
    public string RuntimeRoot => Path.Combine(Dir, "runtime-root");

    /// <summary>What the shim passes to carton as --root for pods of the CRI namespace.</summary>
    public string CartonRoot => Path.Combine(RuntimeRoot, Namespace);

    public string CgroupParent { get; }

    public CriClient Client => _client ?? throw new InvalidOperationException("containerd is not started");

    public async Task InitializeAsync()
    {
        foreach (var (path, why) in new[]
                 {
                     (Containerd, "containerd (Debian: apt-get install containerd)"),
                     (Ctr, "ctr, containerd's client (in the containerd package)"),
                     ("/usr/bin/containerd-shim-runc-v2", "the runc v2 shim (in the containerd package)"),
                     (Paths.Carton, "the carton binary (./scripts/build.sh, or set CARTON_BINARY)"),
                 })
        {
            if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: {why} is needed for the CRI tests");
        }

        var images = Path.Combine(Dir, "images");
        Directory.CreateDirectory(images);
        var busybox = Path.Combine(images, "busybox.tar");
        var pause = Path.Combine(images, "pause.tar");
        ImageArchive.Write(busybox, BusyboxImage, ["sh"]);
        ImageArchive.Write(pause, PauseImage, [],
            ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]);

        File.WriteAllText(ConfigFile, Config());
        Start();
        _client = new CriClient(Socket);
        await WaitForCriAsync();

        foreach (var archive in new[] { busybox, pause })
        {
            var import = ProcessRunner.Run(Ctr,
                ["-a", Socket, "-n", Namespace, "images", "import", "--snapshotter", "overlayfs", archive],
                timeout: TimeSpan.FromSeconds(60));
            if (!import.Succeeded) throw new InvalidOperationException($"importing {archive} failed:\n{import}\n{LogTail()}");
        }
        await WaitForImagesAsync(BusyboxImage, PauseImage);
    }

    /// <summary>
    /// containerd's config (version 2). Everything it writes is under <see cref="Dir"/>; the CRI plugin gets the
    /// "carton" handler beside the usual "runc" one (the default, which the tests never use).
    /// restrict_oom_score_adj: CRI gives the pause container oom_score_adj -998, and lowering a score needs
    /// CAP_SYS_RESOURCE, which this VM's root lacks; restricted, CRI never asks below containerd's own score.
    /// disable_apparmor: the host may have no AppArmor, and carton's AppArmor support is tested elsewhere.
    /// The stream server (Exec, Attach, PortForward) listens on loopback only; ExecSync does not use it.
    /// </summary>
    private string Config()
    {
        var cri = "plugins.\"io.containerd.grpc.v1.cri\"";
        return $"""
            version = 2
            root = {Toml(Path.Combine(Dir, "root"))}
            state = {Toml(Path.Combine(Dir, "state"))}

            [grpc]
              address = {Toml(Socket)}

            [ttrpc]
              address = {Toml(Socket + ".ttrpc")}

            [debug]
              level = "debug"

            [plugins."io.containerd.internal.v1.opt"]
              path = {Toml(Path.Combine(Dir, "opt"))}

            [{cri}]
              sandbox_image = {Toml(PauseImage)}
              restrict_oom_score_adj = true
              disable_apparmor = true
              stream_server_address = "127.0.0.1"
              stream_server_port = "0"

            [{cri}.containerd]
              snapshotter = "overlayfs"
              default_runtime_name = "runc"

            [{cri}.containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"

            [{cri}.containerd.runtimes.{Handler}]
              runtime_type = "io.containerd.runc.v2"

            [{cri}.containerd.runtimes.{Handler}.options]
              BinaryName = {Toml(Paths.Carton)}
              Root = {Toml(RuntimeRoot)}

            # No network plugin: pods use the host's network. Empty directories keep the host's CNI config out.
            [{cri}.cni]
              bin_dir = {Toml(Path.Combine(Dir, "cni", "bin"))}
              conf_dir = {Toml(Path.Combine(Dir, "cni", "net.d"))}

            """;
    }

    private static string Toml(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private void Start()
    {
        // containerd's output goes to a file, not to pipes: the shims inherit nothing from it, but a pipe would tie the
        // log's life to this process's reading it.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = Dir };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" </dev/null >>\"$LOG\" 2>&1");
        psi.ArgumentList.Add("containerd-launcher");
        psi.ArgumentList.Add(Containerd);
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(ConfigFile);
        psi.Environment["LOG"] = LogFile;
        _containerd = Process.Start(psi) ?? throw new InvalidOperationException("could not start containerd");
    }

    /// <summary>Waits until the CRI service answers (the socket appears before the plugins are all loaded).</summary>
    private async Task WaitForCriAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_containerd!.HasExited)
                throw new InvalidOperationException($"containerd exited with {_containerd.ExitCode} while starting\n{LogTail()}");
            if (File.Exists(Socket))
            {
                try
                {
                    var version = await Client.VersionAsync(new VersionRequest { Version = "v1" });
                    if (version.RuntimeName.Length > 0) return;
                }
                catch (RpcException e)
                {
                    last = e;
                }
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"containerd's CRI service did not answer within 30 s: {last?.Message}\n{LogTail()}");
    }

    /// <summary>CRI learns of imported images from containerd's events, a moment after the import.</summary>
    private async Task WaitForImagesAsync(params string[] names)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var name in names)
        {
            while ((await Client.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = name } })).Image is null)
            {
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"CRI does not see the imported image {name}\n{LogTail()}");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Runs carton against the shim's state directory, e.g. `list -f json`.</summary>
    public ProcessResult Carton(params string[] args) =>
        ProcessRunner.Run(Paths.Carton, ["--root", CartonRoot, .. args], timeout: TimeSpan.FromSeconds(30));

    /// <summary>The end of containerd's log (the shims log into it too), for failure messages.</summary>
    public string LogTail(int lines = 80)
    {
        try
        {
            var all = File.ReadAllLines(LogFile);
            return $"--- containerd log ({LogFile}), last {Math.Min(lines, all.Length)} of {all.Length} lines ---\n" +
                   string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(no containerd log: {e.Message})";
        }
    }

    /// <summary>Cleanup, whatever the tests left: pods through CRI first, then containerd, then the host's tables.</summary>
    public async Task DisposeAsync()
    {
        var report = new StringBuilder();
        if (_client is not null && _containerd is { HasExited: false })
        {
            try
            {
                foreach (var pod in (await _client.ListPodSandboxAsync(new ListPodSandboxRequest())).Items)
                {
                    await _client.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id }, TimeSpan.FromSeconds(30));
                    await _client.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id }, TimeSpan.FromSeconds(30));
                    report.AppendLine("removed pod " + pod.Id);
                }
            }
            catch (RpcException e)
            {
                report.AppendLine("CRI cleanup failed: " + e.Status);
            }
        }
        _client?.Dispose();

        if (_containerd is not null)
        {
            if (!_containerd.HasExited)
            {
                Leftovers.Signal(_containerd.Id, 15);
                if (!_containerd.WaitForExit(TimeSpan.FromSeconds(15)))
                {
                    _containerd.Kill();
                    _containerd.WaitForExit(TimeSpan.FromSeconds(5));
                    report.AppendLine("containerd ignored SIGTERM for 15 s and was killed");
                }
            }
            _containerd.Dispose();
        }

        // A shim killed before it could clean up leaves its socket under /run/containerd/s; its bundle says which.
        var shimSockets = Directory.Exists(Path.Combine(Dir, "state"))
            ? Directory.EnumerateFiles(Path.Combine(Dir, "state"), "address", SearchOption.AllDirectories)
                .Select(f => File.ReadAllText(f).Trim()).Select(a => a.StartsWith("unix://", StringComparison.Ordinal) ? a[7..] : a)
                .Where(p => p.StartsWith("/run/containerd/s/", StringComparison.Ordinal)).ToList()
            : [];

        foreach (var line in Leftovers.Remove(Socket, Dir, CgroupParent)) report.AppendLine(line);
        foreach (var socket in shimSockets.Where(File.Exists))
        {
            File.Delete(socket);
            report.AppendLine("removed shim socket " + socket);
        }

        if (Leftovers.MountsUnder(Dir).Count == 0) Directory.Delete(Dir, recursive: true);
        else report.AppendLine($"{Dir} kept: mounts remain under it");
        if (report.Length > 0) _diagnostics.OnMessage(new DiagnosticMessage($"CriContainerd cleanup of {Dir}:\n{report}"));
    }
}
