using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Carton.Client;
using Carton.Docker.Tests;

namespace Carton.Docker.Testcontainers.Tests;

/// <summary>
/// What the Testcontainers scenario runs against, started in this process's network namespace (the test's own,
/// <see cref="TestNamespace"/>): a docker-registry on 127.0.0.1 holding busybox (scripts/make-busybox-image.sh's
/// layout, pushed with skopeo), and a carton-serve (artifacts/bin, published by scripts/build.sh) with its compute
/// socket, Docker socket, state, image and network roots under <see cref="Dir"/>. The pattern of
/// tests/Carton.Docker.Tests/DockerFixture.cs, copied (a test project references no other).
/// </summary>
public sealed class CartonDocker : IAsyncDisposable
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static readonly string ServeBinary = Path.Combine(RepoRoot, "artifacts/bin/carton-serve");
    public static readonly string CartonBinary = Path.Combine(RepoRoot, "artifacts/bin/carton");

    private Process? _daemon;
    private readonly StringBuilder _log = new();

    private CartonDocker(string dir) => Dir = dir;

    public string Dir { get; }
    public string Socket => Path.Combine(Dir, "carton.sock");
    public string DockerSocket => Path.Combine(Dir, "docker.sock");
    private string Net => Path.Combine(Dir, "net");
    public TestRegistry Registry { get; private set; } = null!;

    /// <summary>busybox in the test registry: "127.0.0.1:PORT/busybox:latest".</summary>
    public string BusyboxImage => $"{Registry.Host}/busybox:latest";

    /// <summary>The daemon's stdout and stderr so far.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static string DockerSocketIn(string dir) => Path.Combine(dir, "docker.sock");

    public static async Task<CartonDocker> StartAsync(string dir)
    {
        var env = new CartonDocker(dir);
        try
        {
            await env.StartAsync();
            return env;
        }
        catch
        {
            await env.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101);
        // the registry in this test's own namespace (the one the whole test process runs in), so its port can be fixed
        Registry = new TestRegistry(Path.Combine(Dir, "registry"), TestNamespace.Name!, 5000);
        var layout = Path.Combine(Dir, "layout");
        TestNamespace.Check(TestNamespace.Run(Path.Combine(RepoRoot, "scripts", "make-busybox-image.sh"), TimeSpan.FromSeconds(120), layout, "busybox:latest"), "make-busybox-image.sh");
        TestNamespace.Check(TestNamespace.Run("skopeo", TimeSpan.FromSeconds(120), "copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:busybox:latest", $"docker://{BusyboxImage}"), "skopeo copy");

        var psi = new ProcessStartInfo(ServeBinary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--socket", Socket, "--root", Path.Combine(Dir, "state"), "--init-binary", CartonBinary, "--image-root", Path.Combine(Dir, "images"),
                     "--network-root", Path.Combine(Net, "networks"), "--network-run-root", Path.Combine(Net, "run"), "--netns-dir", Path.Combine(Net, "netns"),
                     "--docker-socket", DockerSocket })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _daemon = p;
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (p.HasExited) throw new InvalidOperationException($"carton-serve exited with {p.ExitCode}:\n{Log}");
            // the Docker socket is bound just after the compute socket: wait for both
            if (File.Exists(Socket) && File.Exists(DockerSocket))
            {
                try
                {
                    if ((await RawAsync(DockerSocket, "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                        return;
                }
                catch (SocketException)
                {
                }
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"carton-serve did not answer on {DockerSocket}:\n{Log}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false } d)
        {
            // what a failed run left: compute systems outlive their daemon (a new one adopts them)
            try
            {
                using var client = new ComputeClient(Socket);
                var ids = new List<string>();
                await foreach (var s in client.EnumerateComputeSystemsAsync()) ids.Add(s.Id);
                foreach (var id in ids)
                {
                    try
                    {
                        await using var sys = await client.OpenComputeSystemAsync(id);
                        await sys.DeleteAsync();
                    }
                    catch (Carton.Compute.ComputeException)
                    {
                    }
                }
            }
            catch (Carton.Compute.ComputeException)
            {
            }
            kill(d.Id, 15); // SIGTERM: the daemon removes what it made
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await d.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { d.Kill(true); }
        }
        _daemon?.Dispose();
        Registry?.Dispose();
        Cleanup(Dir);
    }

    /// <summary>Unmounts the daemon's namespace pins under <paramref name="dir"/> and deletes it (also from the
    /// outer run, should the inner one have died before its own clean-up).</summary>
    public static void Cleanup(string dir)
    {
        var pins = Path.Combine(dir, "net", "netns");
        for (int i = 0; i < 4 && Directory.Exists(pins); i++) Process.Start("umount", ["-l", pins])!.WaitForExit();
        try { if (Directory.Exists(dir)) Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A raw HTTP/1.1 exchange on the Docker socket (send "Connection: close").</summary>
    public Task<string> RawDockerAsync(string request) => RawAsync(DockerSocket, request);

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

    /// <summary>Why the test cannot run here, or null.</summary>
    public static string? StaticProblem()
    {
        if (geteuid() != 0) return "carton-serve's compute service and `ip netns` need root";
        if (!File.Exists(ServeBinary)) return $"{ServeBinary} missing: run scripts/build.sh";
        if (!File.Exists(CartonBinary)) return $"{CartonBinary} missing: run scripts/build.sh";
        if (!File.Exists("/bin/busybox")) return "/bin/busybox missing: install busybox-static";
        if (!File.Exists(TestRegistry.Binary)) return $"{TestRegistry.Binary} missing: install docker-registry";
        if (!File.Exists("/usr/bin/skopeo")) return "/usr/bin/skopeo missing: install skopeo";
        if (!File.Exists("/usr/bin/nsenter")) return "/usr/bin/nsenter missing: install util-linux";
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

/// <summary>A test that needs root, the published binaries, the registry, skopeo and nsenter; skipped with the
/// reason otherwise (never passes silently).</summary>
public sealed class CartonDockerFactAttribute : FactAttribute
{
    public CartonDockerFactAttribute()
    {
        if (CartonDocker.StaticProblem() is { } problem) Skip = problem;
    }
}
