using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Carton.Client;

namespace Carton.Docker.Tests;

/// <summary>
/// A carton-serve process (artifacts/bin, published by scripts/build.sh) on a temporary socket, state root, image
/// root and network roots, with its Docker socket in the same temporary directory; and a docker-registry on
/// 127.0.0.1 holding busybox (scripts/make-busybox-image.sh's layout, pushed with skopeo). Containers get bridges,
/// veths and published ports, so the daemon, the registry, skopeo and every docker CLI run inside a network
/// namespace the fixture makes (`ip netns add carton-dk-XXXX`, loopback up) through `nsenter --net` (network only:
/// the mount namespace stays the host's, where the daemon's mounts and pins are visible and checked); traffic goes
/// only to that namespace's loopback and to the tests' own containers. At dispose: every container removed (`docker
/// rm -f`), user networks removed, no veth and no bridge but the default network's left in the namespace, no mount
/// under <see cref="Dir"/> but the daemon's pin directories, the daemon stopped, then none at all, and the namespace
/// deleted. The pattern of tests/Carton.Service.Tests/DaemonFixture.cs and NetworkDaemonFixture.cs, copied.
/// Tests skip with a reason (<see cref="StaticProblem"/>).
/// </summary>
public sealed partial class DockerFixture : IAsyncLifetime
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static readonly string ServeBinary = Path.Combine(RepoRoot, "artifacts/bin/carton-serve");
    public static readonly string CartonBinary = Path.Combine(RepoRoot, "artifacts/bin/carton");
    public const string DebianDocker = "/usr/bin/docker";
    public const string NewDocker = "/usr/local/bin/docker";
    /// <summary>The registry's port on the namespace's loopback (the namespace is the fixture's own: any port is free).</summary>
    public const int RegistryPort = 5000;

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

    /// <summary>The fixture's network namespace (/run/netns/NAME): the daemon's, the registry's and the CLIs'.</summary>
    public string Netns { get; } = "carton-dk-" + Guid.NewGuid().ToString("N")[..8];

    public TestRegistry Registry { get; private set; } = null!;

    /// <summary>busybox in the test registry: "127.0.0.1:PORT/busybox".</summary>
    public string BusyboxRepository => $"{Registry.Host}/busybox";

    public ComputeClient Client { get; private set; } = null!;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    private bool _netnsMade;

    public async Task InitializeAsync()
    {
        if (StaticProblem() is not null) return;
        Directory.CreateDirectory(Dir);
        Directory.CreateDirectory(DockerConfig);
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101); // others may traverse: the sockets' own modes must refuse them
        Check(Run("ip", "netns", "add", Netns), "ip netns add");
        _netnsMade = true;
        try
        {
            Check(Run("ip", "-n", Netns, "link", "set", "lo", "up"), "ip link set lo up");
            Registry = new TestRegistry(Path.Combine(Dir, "registry"), Netns, RegistryPort);
            var layout = Path.Combine(Dir, "layout");
            Check(Run(Path.Combine(RepoRoot, "scripts", "make-busybox-image.sh"), layout, "busybox:latest"), "make-busybox-image.sh");
            Check(InNetns("skopeo", "copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:busybox:latest", $"docker://{BusyboxRepository}:latest"), "skopeo copy");
            Client = new ComputeClient(Socket);
            _daemon = await StartDaemonAsync(Socket, StateRoot, ImageRoot, ["--docker-socket", DockerSocket], _log);
        }
        catch
        {
            // no half-made namespace or registry is left behind by a fixture that never started
            Registry?.Dispose();
            Run("ip", "netns", "delete", Netns);
            _netnsMade = false;
            throw;
        }
    }

    /// <summary>Starts a carton-serve in the fixture's namespace with its roots under <see cref="Dir"/> and waits until it answers.</summary>
    public async Task<Process> StartDaemonAsync(string socket, string stateRoot, string imageRoot, string[] extra, StringBuilder log)
    {
        // nsenter --net only, and no --fork: it execs carton-serve, so the pid is the daemon's (SIGTERM reaches it)
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var net = Path.Combine(Path.GetDirectoryName(socket)!, "net-" + Path.GetFileNameWithoutExtension(socket));
        foreach (var a in new[] { $"--net=/run/netns/{Netns}", "--", ServeBinary,
                     "--socket", socket, "--root", stateRoot, "--init-binary", CartonBinary, "--image-root", imageRoot,
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
        var problems = new List<string>();
        try
        {
            if (_daemon is not null)
            {
                // every container (running or not) and every user network, through the API the tests used
                foreach (var id in Docker(DebianDocker, "ps", "-aq").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var rm = Docker(DebianDocker, "rm", "-f", id);
                    if (rm.Exit != 0) problems.Add($"docker rm -f {id}: {rm.Err}");
                }
                foreach (var n in Docker(DebianDocker, "network", "ls", "-q", "--filter", "type=custom").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var rm = Docker(DebianDocker, "network", "rm", n);
                    if (rm.Exit != 0) problems.Add($"docker network rm {n}: {rm.Err}");
                }
                // compute systems made without the Docker API (the rmi test's)
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
                // nothing of a removed container stays in the namespace: no veth, no bridge but the default network's
                var veths = InNetns("ip", "-o", "link", "show", "type", "veth").Out.Trim();
                if (veths.Length > 0) problems.Add("veths left in the namespace after every container was removed:\n" + veths);
                var bridges = Links("bridge").Where(b => b != "carton0").ToList();
                if (bridges.Count > 0) problems.Add("bridges left in the namespace after every user network was removed: " + string.Join(' ', bridges));
                var mounts = MountsUnderDir().Where(m => !IsPinDirectory(m)).ToList();
                if (mounts.Count > 0) problems.Add("mounts left under the fixture's directory after every container was removed:\n" + string.Join('\n', mounts));
            }
        }
        catch (Exception e)
        {
            problems.Add("cleanup: " + e);
        }
        finally
        {
            try
            {
                if (_daemon is not null)
                {
                    var exit = await StopAsync(_daemon);
                    if (exit != 0) problems.Add($"carton-serve exited {exit} at SIGTERM");
                    var mounts = MountsUnderDir().Where(m => !IsPinDirectory(m)).ToList();
                    if (mounts.Count > 0) problems.Add("mounts left under the fixture's directory after the daemon stopped:\n" + string.Join('\n', mounts));
                }
                Client?.Dispose();
                Registry?.Dispose();
                // the pin directories are bind mounts of themselves (shared, as `ip netns` makes /run/netns)
                foreach (var pins in Directory.Exists(Dir) ? Directory.GetDirectories(Dir, "netns", SearchOption.AllDirectories) : [])
                    for (int i = 0; i < 4 && MountsUnderDir().Contains(pins); i++) Run("umount", "-l", pins);
                var left = MountsUnderDir();
                if (left.Count > 0) problems.Add("mounts left under the fixture's directory at the end:\n" + string.Join('\n', left));
            }
            finally
            {
                if (_netnsMade) Run("ip", "netns", "delete", Netns);
                try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        if (problems.Count > 0) throw new InvalidOperationException(string.Join("\n", problems) + "\n--- daemon log ---\n" + Log);
    }

    /// <summary>What a test leaves behind shows in: the namespace's veths and bridges (but the default network's
    /// carton0, made by the first container on it, for good), and the mounts under <see cref="Dir"/> (the daemon's
    /// pin directories aside). A test that removed what it made leaves them as it
    /// found them (the pattern of tests/Carton.Service.Tests/NetworkDaemonFixture.cs's snapshots).</summary>
    public Snapshot Take() => new(Links("veth").Order().ToList(), Links("bridge").Where(b => b != "carton0").Order().ToList(),
        [.. MountsUnderDir().Where(m => !IsPinDirectory(m)).Order()]);

    public sealed record Snapshot(List<string> Veths, List<string> Bridges, List<string> Mounts)
    {
        public void AssertSameAs(Snapshot before)
        {
            Assert.Equal(before.Veths, Veths);
            Assert.Equal(before.Bridges, Bridges);
            Assert.Equal(before.Mounts, Mounts);
        }
    }

    /// <summary>The mount points under <see cref="Dir"/> (mountinfo's fifth field).</summary>
    private List<string> MountsUnderDir() =>
        [.. File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m == Dir || m.StartsWith(Dir + "/", StringComparison.Ordinal))];

    private static bool IsPinDirectory(string mountPoint) => Path.GetFileName(mountPoint) == "netns";

    /// <summary>The names of the namespace's links of a type (bridge, veth).</summary>
    public List<string> Links(string type) =>
        [.. InNetns("ip", "-o", "link", "show", "type", type).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0])];

    /// <summary>A command inside the fixture's network namespace (`nsenter --net`): a client of published ports.</summary>
    public (int Exit, string Out, string Err) InNetns(string file, params string[] args) => Run("nsenter", [$"--net=/run/netns/{Netns}", "--", file, .. args]);

    /// <summary>A docker CLI against the fixture's Docker socket, with an empty DOCKER_CONFIG.</summary>
    public (int Exit, string Out, string Err) Docker(string cli, params string[] args) => DockerWith(cli, null, args);

    /// <summary>As <see cref="Docker"/>, with DOCKER_API_VERSION set (pins the client's version: no negotiation).</summary>
    public (int Exit, string Out, string Err) DockerWith(string cli, string? apiVersion, params string[] args)
    {
        var psi = DockerStartInfo("nsenter", [$"--net=/run/netns/{Netns}", "--", cli, .. args]);
        if (apiVersion is not null) psi.Environment["DOCKER_API_VERSION"] = apiVersion;
        return Wait(psi, $"{cli} {string.Join(' ', args)}");
    }

    /// <summary>A docker CLI (in the namespace) fed <paramref name="stdin"/>, then end of file.</summary>
    public (int Exit, string Out, string Err) DockerInput(string cli, string stdin, TimeSpan timeout, params string[] args) =>
        Wait(DockerStartInfo("nsenter", [$"--net=/run/netns/{Netns}", "--", cli, .. args]), $"{cli} {string.Join(' ', args)}", stdin, timeout);

    /// <summary>`docker ARGS` on a terminal of its own: script(1) gives the CLI a pty of
    /// <paramref name="rows"/>x<paramref name="cols"/> (set with stty before it starts); stdout is the terminal's
    /// output (a stdin at end of file shows as "^@": assert with Contains).</summary>
    public (int Exit, string Out, string Err) DockerTty(string cli, int rows, int cols, params string[] args)
    {
        static string Quote(string a) => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var line = $"stty rows {rows} cols {cols}; exec nsenter --net=/run/netns/{Netns} -- {Quote(cli)} {string.Join(' ', args.Select(Quote))}";
        return Wait(DockerStartInfo("script", ["-qec", line, "/dev/null"]), $"script {line}", "", TimeSpan.FromSeconds(60));
    }

    /// <summary>A docker CLI (in the namespace) left running, its output redirected, for commands that stream
    /// (`docker events`): the caller reads it and kills it.</summary>
    public Process DockerStreaming(string cli, params string[] args)
    {
        var p = Process.Start(DockerStartInfo("nsenter", [$"--net=/run/netns/{Netns}", "--", cli, .. args]))!;
        p.StandardInput.Close();
        return p;
    }

    /// <summary>The environment of a docker CLI: the fixture's socket, an empty DOCKER_CONFIG, nothing of the user's.</summary>
    private ProcessStartInfo DockerStartInfo(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOCKER_HOST"] = "unix://" + DockerSocket;
        psi.Environment["DOCKER_CONFIG"] = DockerConfig;
        psi.Environment.Remove("DOCKER_CONTEXT");
        psi.Environment.Remove("DOCKER_TLS_VERIFY");
        psi.Environment.Remove("DOCKER_API_VERSION");
        return psi;
    }

    public static (int Exit, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Wait(psi, $"{file} {string.Join(' ', args)}");
    }

    /// <summary>Runs to the end with <paramref name="stdin"/> (then end of file: no command waits on the test's own stdin).</summary>
    private static (int Exit, string Out, string Err) Wait(ProcessStartInfo psi, string what, string stdin = "", TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        try
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // it exited without reading
        }
        if (!p.WaitForExit(limit))
        {
            p.Kill(true);
            p.WaitForExit();
            throw new TimeoutException($"{what} did not finish in {limit.TotalSeconds} s: {o.Result}{e.Result}");
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
        try { await s.SendAsync(Encoding.UTF8.GetBytes(request)); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset or SocketError.ConnectionAborted || e.NativeErrorCode == 32 /* EPIPE */)
        {
            // The server may answer a request it refuses (431: headers too large) and close before the client has
            // sent all of it: the answer is still there to read (seen in CI as "Broken pipe" on the send).
        }
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
        if (!File.Exists("/usr/bin/script")) return "/usr/bin/script missing: install bsdutils";
        if (!File.Exists("/usr/bin/wget")) return "/usr/bin/wget missing: install wget";
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

/// <summary>A theory over docker CLIs (<see cref="CliDataAttribute"/>), skipped with the reason as <see cref="DockerFactAttribute"/>.</summary>
public sealed class DockerTheoryAttribute : TheoryAttribute
{
    public DockerTheoryAttribute()
    {
        if (DockerFixture.StaticProblem() is { } problem) Skip = problem;
    }
}

/// <summary>One row of a <see cref="DockerTheoryAttribute"/>: the CLI binary, the row skipped with a reason when it
/// is not on this machine (xunit reads Skip from the attribute instance).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class CliDataAttribute : Xunit.Sdk.DataAttribute
{
    private readonly string _cli;

    public CliDataAttribute(string cli)
    {
        _cli = cli;
        if (!File.Exists(cli)) Skip = $"{cli} is not on this machine";
    }

    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) => [[_cli]];
}
