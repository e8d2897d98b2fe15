using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Carton.Client;
using Carton.Compute;


namespace Carton.Service.Tests;

/// <summary>
/// A carton-serve process (artifacts/bin, published by scripts/build.sh) on a temporary socket and state root, and
/// what the tests need around it: busybox bundles, a restart, a SIGKILL. Tests skip with a reason (via
/// <see cref="Problem"/>) when not root or when the binaries are missing.
/// </summary>
public class DaemonFixture : IAsyncLifetime
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static readonly string ServeBinary = Path.Combine(RepoRoot, "artifacts/bin/carton-serve");
    public static readonly string CartonBinary = Path.Combine(RepoRoot, "artifacts/bin/carton");
    private const string Busybox = "/bin/busybox";

    private Process? _daemon;
    private readonly StringBuilder _log = new();

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "carton-svc-" + Guid.NewGuid().ToString("N")[..8]);
    public string Socket => Path.Combine(Dir, "carton.sock");
    public string StateRoot => Path.Combine(Dir, "state");
    /// <summary>The daemon's image store (--image-root).</summary>
    public string ImageRoot => Path.Combine(Dir, "images");
    public ComputeClient Client { get; private set; } = null!;
    public int DaemonPid => _daemon?.Id ?? 0;

    public string? Problem { get; private set; }

    /// <summary>The network service's directories (--network-root, --network-run-root, --netns-dir): the fixture's own.</summary>
    public string NetworkRoot => Path.Combine(Dir, "networks");
    public string NetworkRunRoot => Path.Combine(Dir, "netrun");
    public string NetnsDir => Path.Combine(Dir, "netns");

    /// <summary>Set by a fixture whose daemon runs inside a network namespace of its own (network tests: bridges,
    /// veths and firewall rules exist only there), made by <see cref="InitializeAsync"/> and removed at the end.</summary>
    protected virtual bool OwnNetworkNamespace => false;

    /// <summary>The test's network namespace (/run/netns/NAME), or null.</summary>
    public string? NetnsName { get; private set; }

    /// <summary>Runs <paramref name="args"/> inside the test's network namespace (the daemon's "host").</summary>
    public (int Exit, string Out, string Err) InTestNamespace(params string[] args) =>
        Run("nsenter", TimeSpan.FromSeconds(60), [$"--net=/run/netns/{NetnsName}", "--", .. args]);

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>, killed after <paramref name="timeout"/>;
    /// its exit code, stdout and stderr.</summary>
    public static (int Exit, string Out, string Err) Run(string file, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) p.Kill(true);
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    private static void Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public virtual async Task InitializeAsync()
    {
        Problem = StaticProblem();
        if (Problem is not null) return;
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101); // others may traverse: the socket's own mode must refuse them
        Client = new ComputeClient(Socket);
        if (OwnNetworkNamespace)
        {
            NetnsName = "carton-svc-" + Guid.NewGuid().ToString("N")[..8];
            Ip("netns", "add", NetnsName);
            Ip("-n", NetnsName, "link", "set", "lo", "up");
        }
        await StartDaemonAsync();
    }

    public async Task StartDaemonAsync()
    {
        // inside the test's network namespace through nsenter --net only: `ip netns exec` would also give the daemon
        // a mount namespace of its own, where its pins and mounts would be invisible to the tests
        var psi = new ProcessStartInfo(NetnsName is null ? ServeBinary : "nsenter")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (NetnsName is not null) foreach (var a in new[] { $"--net=/run/netns/{NetnsName}", "--", ServeBinary }) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "--socket", Socket, "--root", StateRoot, "--init-binary", CartonBinary, "--image-root", ImageRoot,
                     "--network-root", NetworkRoot, "--network-run-root", NetworkRunRoot, "--netns-dir", NetnsDir }) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        _daemon = p;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (p.HasExited) throw new InvalidOperationException($"carton-serve exited with {p.ExitCode}:\n{Log}");
            try
            {
                await foreach (var _ in Client.EnumerateComputeSystemsAsync()) { }
                return;
            }
            catch (ComputeException e) when (e.Code == "Unavailable" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>SIGKILL: the daemon gets no chance to clean up anything.</summary>
    public async Task KillDaemonAsync()
    {
        var p = _daemon!;
        p.Kill();
        await p.WaitForExitAsync();
        _daemon = null;
    }

    /// <summary>SIGTERM, and the daemon's exit code.</summary>
    public async Task<int> StopDaemonAsync()
    {
        var p = _daemon!;
        kill(p.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await p.WaitForExitAsync(cts.Token);
        _daemon = null;
        return p.ExitCode;
    }

    public async Task DisposeAsync()
    {
        if (Problem is not null) return;
        try
        {
            if (_daemon is null) await StartDaemonAsync();
            var ids = new List<string>();
            await foreach (var s in Client.EnumerateComputeSystemsAsync()) ids.Add(s.Id);
            foreach (var id in ids)
            {
                try
                {
                    await using var sys = await Client.OpenComputeSystemAsync(id);
                    await sys.DeleteAsync();
                }
                catch (ComputeException)
                {
                }
            }
            // issue 16: the image store all the daemon's tests shared (pulls, pushes, tags, prunes, systems made from
            // images, a pull killed mid-layer) is sound once they are done, as `carton image check` sees it
            if (Directory.Exists(ImageRoot)
                && Carton.Images.Linux.Maintenance.StoreChecker.Check(new Carton.Images.Content.ImageStore(ImageRoot)) is { Count: > 0 } problems)
                throw new InvalidOperationException($"carton image check of {ImageRoot} after the daemon tests: {string.Join("; ", problems)}");
        }
        finally
        {
            if (_daemon is not null) await StopDaemonAsync();
            Client.Dispose();
            // the pin directory is a bind mount of itself (shared, as `ip netns` makes /run/netns)
            for (int i = 0; i < 4 && Directory.Exists(NetnsDir); i++) Process.Start("umount", ["-l", NetnsDir])!.WaitForExit();
            if (NetnsName is not null) try { Ip("netns", "delete", NetnsName); } catch (InvalidOperationException) { }
            try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A busybox bundle whose init is <paramref name="args"/> (default: a shell that exits on SIGTERM).</summary>
    public ComputeSystemDocument BusyboxDocument(string name, params string[] args)
    {
        var bundle = Path.Combine(Dir, "bundles", name);
        var rootfs = Path.Combine(bundle, "rootfs");
        if (!Directory.Exists(rootfs)) CreateRootfs(rootfs);
        if (!File.Exists(Path.Combine(bundle, "config.json")))
        {
            var r = Process.Start(new ProcessStartInfo(CartonBinary, ["spec", "--bundle", bundle]) { RedirectStandardError = true })!;
            r.WaitForExit();
            if (r.ExitCode != 0) throw new InvalidOperationException("carton spec: " + r.StandardError.ReadToEnd());
        }
        var spec = System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(bundle, "config.json")), Carton.Oci.OciJsonContext.Default.Spec)!;
        spec.Process!.Terminal = false;
        spec.Process.Args = args.Length > 0 ? [.. args] : ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"];
        spec.Hostname = name;
        return new ComputeSystemDocument { Oci = new OciSystemDocument { Spec = spec, Bundle = bundle } };
    }

    private static void CreateRootfs(string rootfs)
    {
        var bin = Path.Combine(rootfs, "bin");
        Directory.CreateDirectory(bin);
        foreach (var d in new[] { "proc", "sys", "dev", "tmp", "etc", "root" }) Directory.CreateDirectory(Path.Combine(rootfs, d));
        File.Copy(Busybox, Path.Combine(bin, "busybox"));
        File.SetUnixFileMode(Path.Combine(bin, "busybox"), (UnixFileMode)0b111_101_101);
        var list = Process.Start(new ProcessStartInfo(Busybox, "--list") { RedirectStandardOutput = true })!;
        var applets = list.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        list.WaitForExit();
        foreach (var applet in applets)
        {
            var link = Path.Combine(bin, applet);
            if (applet != "busybox" && !File.Exists(link)) File.CreateSymbolicLink(link, "busybox");
        }
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/group"), "root:x:0:\n");
    }

    public static string? StaticProblem()
    {
        if (geteuid() != 0) return "the compute service runs containers: needs root";
        if (!File.Exists(ServeBinary)) return $"{ServeBinary} missing: run scripts/build.sh";
        if (!File.Exists(CartonBinary)) return $"{CartonBinary} missing: run scripts/build.sh";
        if (!File.Exists(Busybox)) return $"{Busybox} missing: install busybox-static";
        return null;
    }

    /// <summary>The process exists and is not a zombie (an orphaned init may wait for a reaper that never comes here).</summary>
    public static bool ProcessAlive(int pid)
    {
        if (pid <= 0 || kill(pid, 0) != 0) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A raw HTTP/1.1 exchange over the socket (for what the client library does not expose).</summary>
    public Task<string> RawAsync(string request) => RawAsync(Encoding.ASCII.GetBytes(request));

    /// <summary>A raw request given as bytes (a body that is not UTF-8).</summary>
    public async Task<string> RawAsync(byte[] request)
    {
        using var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket));
        try { await s.SendAsync(request); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset or SocketError.ConnectionAborted || e.NativeErrorCode == 32 /* EPIPE */)
        {
            // The daemon may answer and close before it has read the whole request (a body over the limit): what it
            // wrote before closing is still in our receive queue.
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
            // Closed with our request unread: Linux reports the reset once the answer has been read.
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
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

[CollectionDefinition("daemon")]
public sealed class DaemonCollection : ICollectionFixture<DaemonFixture>;
