using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Carton.Client;

namespace Carton.Docker.Tests;

/// <summary>
/// A carton-serve process (artifacts/bin, published by scripts/build.sh) on a temporary socket, state root, image
/// root and network roots, with its Docker socket in the same temporary directory; and a docker-registry on
/// 127.0.0.1 holding busybox (scripts/make-busybox-image.sh's layout, pushed with skopeo). The daemon runs in the
/// host's network namespace: nothing here makes a bridge or publishes a port. The pattern of
/// tests/Carton.Service.Tests/DaemonFixture.cs, copied. Tests skip with a reason (<see cref="StaticProblem"/>).
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static readonly string ServeBinary = Path.Combine(RepoRoot, "artifacts/bin/carton-serve");
    public static readonly string CartonBinary = Path.Combine(RepoRoot, "artifacts/bin/carton");
    public const string DebianDocker = "/usr/bin/docker";
    public const string NewDocker = "/usr/local/bin/docker";

    private Process? _daemon;

    /// <summary>The daemon's pid (for fd and thread counts).</summary>
    public int DaemonPid => _daemon?.Id ?? 0;
    private readonly StringBuilder _log = new();

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "carton-docker-" + Guid.NewGuid().ToString("N")[..8]);
    public string Socket => Path.Combine(Dir, "carton.sock");
    public string DockerSocket => Path.Combine(Dir, "docker.sock");
    public string StateRoot => Path.Combine(Dir, "state");
    public string ImageRoot => Path.Combine(Dir, "images");
    /// <summary>An empty DOCKER_CONFIG: the CLIs read no credentials or contexts of the machine's user.</summary>
    public string DockerConfig => Path.Combine(Dir, "docker-config");

    public TestRegistry Registry { get; private set; } = null!;

    /// <summary>busybox in the test registry: "127.0.0.1:PORT/busybox".</summary>
    public string BusyboxRepository => $"{Registry.Host}/busybox";

    public ComputeClient Client { get; private set; } = null!;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async Task InitializeAsync()
    {
        if (StaticProblem() is not null) return;
        Directory.CreateDirectory(Dir);
        Directory.CreateDirectory(DockerConfig);
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101); // others may traverse: the sockets' own modes must refuse them
        Registry = new TestRegistry(Path.Combine(Dir, "registry"));
        var layout = Path.Combine(Dir, "layout");
        Check(Run(Path.Combine(RepoRoot, "scripts", "make-busybox-image.sh"), layout, "busybox:latest"), "make-busybox-image.sh");
        Check(Run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:busybox:latest", $"docker://{BusyboxRepository}:latest"), "skopeo copy");
        Client = new ComputeClient(Socket);
        _daemon = await StartDaemonAsync(Socket, StateRoot, ImageRoot, ["--docker-socket", DockerSocket], _log);
    }

    /// <summary>Starts a carton-serve with its roots under <see cref="Dir"/> and waits until it answers.</summary>
    public async Task<Process> StartDaemonAsync(string socket, string stateRoot, string imageRoot, string[] extra, StringBuilder log)
    {
        var psi = new ProcessStartInfo(ServeBinary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var net = Path.Combine(Path.GetDirectoryName(socket)!, "net-" + Path.GetFileNameWithoutExtension(socket));
        foreach (var a in new[] { "--socket", socket, "--root", stateRoot, "--init-binary", CartonBinary, "--image-root", imageRoot,
                     "--network-root", Path.Combine(net, "networks"), "--network-run-root", Path.Combine(net, "run"), "--netns-dir", Path.Combine(net, "netns") }
                     .Concat(extra))
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (p.HasExited) throw new InvalidOperationException($"carton-serve exited with {p.ExitCode}:\n{log}");
            // the Docker socket is bound just after the compute socket: wait for both
            int d = Array.IndexOf(extra, "--docker-socket");
            var dockerSocket = d >= 0 && extra[d + 1] is not ("" or "none") ? extra[d + 1] : null;
            if (File.Exists(socket) && (dockerSocket is null || File.Exists(dockerSocket)))
            {
                try
                {
                    if ((await RawAsync(socket, "GET /v1/systems HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                        return p;
                }
                catch (SocketException)
                {
                }
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"carton-serve did not answer on {socket}:\n{log}");
            await Task.Delay(20);
        }
    }

    /// <summary>SIGTERM, and the daemon's exit code.</summary>
    public static async Task<int> StopAsync(Process p)
    {
        kill(p.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await p.WaitForExitAsync(cts.Token);
        return p.ExitCode;
    }

    public async Task DisposeAsync()
    {
        if (StaticProblem() is not null) return;
        try
        {
            var ids = new List<string>();
            await foreach (var s in Client.EnumerateComputeSystemsAsync()) ids.Add(s.Id);
            foreach (var id in ids)
            {
                try
                {
                    await using var sys = await Client.OpenComputeSystemAsync(id);
                    await sys.DeleteAsync();
                }
                catch (Carton.Compute.ComputeException)
                {
                }
            }
        }
        finally
        {
            if (_daemon is not null) await StopAsync(_daemon);
            Client?.Dispose();
            Registry?.Dispose();
            foreach (var pins in Directory.Exists(Dir) ? Directory.GetDirectories(Dir, "netns", SearchOption.AllDirectories) : [])
                for (int i = 0; i < 4; i++) Process.Start("umount", ["-l", pins])!.WaitForExit();
            try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A docker CLI against the fixture's Docker socket, with an empty DOCKER_CONFIG.</summary>
    public (int Exit, string Out, string Err) Docker(string cli, params string[] args) => DockerWith(cli, null, args);

    /// <summary>As <see cref="Docker"/>, with DOCKER_API_VERSION set (pins the client's version: no negotiation).</summary>
    public (int Exit, string Out, string Err) DockerWith(string cli, string? apiVersion, params string[] args)
    {
        var psi = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOCKER_HOST"] = "unix://" + DockerSocket;
        psi.Environment["DOCKER_CONFIG"] = DockerConfig;
        psi.Environment.Remove("DOCKER_CONTEXT");
        psi.Environment.Remove("DOCKER_TLS_VERIFY");
        if (apiVersion is null) psi.Environment.Remove("DOCKER_API_VERSION");
        else psi.Environment["DOCKER_API_VERSION"] = apiVersion;
        return Wait(psi, $"{cli} {string.Join(' ', args)}");
    }

    public static (int Exit, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Wait(psi, file);
    }

    private static (int Exit, string Out, string Err) Wait(ProcessStartInfo psi, string what)
    {
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(true);
            throw new TimeoutException($"{what} did not finish in 120 s: {o.Result}{e.Result}");
        }
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    private static void Check((int Exit, string Out, string Err) r, string what)
    {
        if (r.Exit != 0) throw new InvalidOperationException($"{what} exited {r.Exit}: {r.Err}{r.Out}");
    }

    /// <summary>A raw HTTP/1.1 exchange on the Docker socket (send "Connection: close").</summary>
    public Task<string> RawAsync(string request) => RawAsync(DockerSocket, request);

    public static async Task<string> RawAsync(string socketPath, string request)
    {
        using var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await s.SendAsync(Encoding.UTF8.GetBytes(request));
        var buffer = new MemoryStream();
        var chunk = new byte[65536];
        int n;
        try
        {
            while ((n = await s.ReceiveAsync(chunk)) > 0) buffer.Write(chunk, 0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && buffer.Length > 0)
        {
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Why the tests cannot run here, or null.</summary>
    public static string? StaticProblem()
    {
        if (geteuid() != 0) return "carton-serve's compute service needs root";
        if (!File.Exists(ServeBinary)) return $"{ServeBinary} missing: run scripts/build.sh";
        if (!File.Exists(CartonBinary)) return $"{CartonBinary} missing: run scripts/build.sh";
        if (!File.Exists("/bin/busybox")) return "/bin/busybox missing: install busybox-static";
        if (!File.Exists(TestRegistry.Binary)) return $"{TestRegistry.Binary} missing: install docker-registry";
        if (!File.Exists("/usr/bin/skopeo")) return "/usr/bin/skopeo missing: install skopeo";
        if (!File.Exists(DebianDocker)) return $"{DebianDocker} missing: install docker.io's CLI (docker-cli)";
        return null;
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Carton.slnx"))) return d.FullName;
        throw new InvalidOperationException("Carton.slnx not found above " + AppContext.BaseDirectory);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}

[CollectionDefinition("docker")]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>;

/// <summary>A test that needs root, the published binaries, the registry, skopeo and Debian's docker CLI, and
/// optionally another CLI (<see cref="Cli"/>); skipped with the reason otherwise (never passes silently).</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerFixture.StaticProblem() is { } problem) Skip = problem;
    }

    /// <summary>A docker CLI the test needs beside Debian's.</summary>
    public string? Cli
    {
        get => null;
        set
        {
            if (Skip is null && value is not null && !File.Exists(value)) Skip = $"{value} is not on this machine";
        }
    }
}
