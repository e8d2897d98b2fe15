using Carton.Compute;

namespace Carton.Service;

/// <summary>
/// `carton-serve` (also `carton serve`): the compute service daemon. HTTP/JSON on a Unix socket over the in-process
/// <see cref="IComputeService"/>. The daemon only drives containers: their state lives in the state root and they
/// keep running when it stops or dies; a restarted daemon re-adopts them.
/// </summary>
public static class Program
{
    public const string DefaultSocket = "/run/carton/carton.sock";

    private const string Usage = """
        usage: carton-serve [--socket PATH] [--root PATH] [--init-binary PATH] [--image-root PATH]
                            [--network-root PATH] [--network-run-root PATH] [--netns-dir PATH]
                            [--docker-socket PATH|none] [--docker-group NAME] [--docker-root PATH]
                            [--docker-max-streams N]

        The carton compute service: an HTTP/JSON API (GET /openapi.json) on a Unix socket that only root may use.

          --socket PATH        the socket to listen on (default /run/carton/carton.sock)
          --root PATH          the state root of the compute systems (default /run/carton/compute)
          --init-binary PATH   the carton binary, exec'd as every container's init
                               (default: carton next to carton-serve, else artifacts/bin/carton)
          --image-root PATH    the image store for systems made from an image (default /var/lib/carton)
          --network-root PATH  network definitions (default /var/lib/carton/networks)
          --network-run-root PATH
                               endpoints, namespaces, the CNI cache and IPAM (default /run/carton/network)
          --netns-dir PATH     network namespace pins (default /run/carton/netns)
          --docker-socket PATH the Docker Engine API's socket (default: docker.sock beside --socket, so
                               /run/carton/docker.sock); "" or none: no Docker API
          --docker-group NAME  the group that may use the Docker socket (mode 0660); without it root only (0600)
          --docker-max-streams N
                               at most N attach and exec streams at once (default 256); more get 503
          --docker-root PATH   the Docker API's containers: names, settings and json-file logs (default: docker
                               beside --root, so /run/carton/docker, which a reboot clears with the systems)
        """;

    public static async Task<int> Main(string[] args)
    {
        // Windows: the HCS backend on a named pipe (issue 18); everything below is the Linux daemon
        if (OperatingSystem.IsWindows()) return await WindowsServe.RunAsync(args);
        string socket = DefaultSocket, root = ServiceFactory.DefaultStateRoot;
        string? init = null, imageRoot = null, networkRoot = null, networkRunRoot = null, netnsDir = null;
        string? dockerSocket = null, dockerGroup = null, dockerRoot = null;
        int dockerMaxStreams = 256;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? inline = null;
            if (a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=') is > 2 and var eq)
            {
                inline = a[(eq + 1)..];
                a = a[..eq];
            }
            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Length) throw new ArgumentException($"{a} needs a value");
                return args[++i];
            }
            try
            {
                switch (a)
                {
                    case "--socket": socket = Value(); break;
                    case "--root": root = Value(); break;
                    case "--init-binary": init = Value(); break;
                    case "--image-root": imageRoot = Path.GetFullPath(Value()); break;
                    case "--network-root": networkRoot = Path.GetFullPath(Value()); break;
                    case "--network-run-root": networkRunRoot = Path.GetFullPath(Value()); break;
                    case "--netns-dir": netnsDir = Path.GetFullPath(Value()); break;
                    case "--docker-socket": dockerSocket = Value(); break;
                    case "--docker-group": dockerGroup = Value(); break;
                    case "--docker-root": dockerRoot = Path.GetFullPath(Value()); break;
                    case "--docker-max-streams":
                        if (!int.TryParse(Value(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out dockerMaxStreams) || dockerMaxStreams < 1)
                            throw new ArgumentException("--docker-max-streams: a positive number of streams");
                        break;
                    case "-h" or "--help": Console.Out.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown argument \"{args[i]}\"");
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"carton-serve: {e.Message}");
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }

        try
        {
            // a pipe is Windows' address (\\.\pipe\carton); refused here before anything is created on disk
            if (Carton.Client.DaemonAddress.Parse(socket).PipeName is not null && !OperatingSystem.IsWindows())
                throw new ArgumentException($"--socket {socket}: a named pipe is the daemon's address on Windows only; give a Unix socket's path");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"carton-serve: {e.Message}");
            return 2;
        }

        init ??= FindInitBinary();
        if (init is null || !File.Exists(init))
        {
            Console.Error.WriteLine($"carton-serve: the carton binary (the containers' init) was not found{(init is null ? "" : $" at {init}")}: pass --init-binary PATH");
            return 1;
        }
        init = Path.GetFullPath(init);

        // The Docker socket sits beside the daemon's own unless told otherwise: /run/carton/docker.sock by default,
        // and a daemon started on a test's socket gets a Docker socket of its own there too.
        dockerSocket ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(socket))!, "docker.sock");
        if (dockerSocket is "" or "none") dockerSocket = null;
        else dockerSocket = Path.GetFullPath(dockerSocket);
        uint? dockerGid = null;
        try
        {
            if (dockerGroup is { Length: > 0 })
            {
                if (dockerSocket is null) throw new ArgumentException("--docker-group: there is no Docker socket (--docker-socket none)");
                dockerGid = GroupDatabase.Resolve(dockerGroup);
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"carton-serve: {e.Message}");
            return 2;
        }

        IComputeService service;
        Carton.Network.Linux.NetworkService networks;
        WebApplication app;
        WebApplication? docker = null;
        try
        {
            if (DaemonDirectories.PrepareStateRoot(root) is { } narrowed) JsonLog.Warn(narrowed);
            networks = ServiceFactory.CreateNetworks(networkRoot, networkRunRoot, netnsDir);
            service = ServiceFactory.Create(root, init, imageRoot, networks);
            // one store object for the image routes and the Docker API: both are the same --image-root
            var imageStore = new Carton.Images.Content.ImageStore(imageRoot ?? Carton.Images.Content.ImageStore.DefaultRoot);
            app = DaemonHost.Build(socket, service, networks, imageStore);
            await DaemonHost.StartAsync(app, socket);
            if (dockerSocket is not null)
            {
                var images = imageStore.Root;
                var dockerServices = new Carton.Docker.DockerServices
                {
                    Compute = service,
                    Images = imageStore,
                    Networks = networks,
                    Host = DockerHostFacts.Probe(init, images),
                    Log = JsonLog.Write,
                    Files = new ContainerFiles(),
                    Storage = new ContainerStorage(imageStore),
                    VolumesRoot = Path.Combine(images, "volumes"),
                    VolumeMounts = new VolumeMounts(),
                    MaxHijackedStreams = dockerMaxStreams,
                    StateRoot = dockerRoot ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(root))!, "docker"),
                };
                await Carton.Docker.DockerApi.RecoverAsync(dockerServices, CancellationToken.None);
                docker = DockerHost.Build(dockerSocket, dockerServices);
                await DaemonHost.StartAsync(docker, dockerSocket, dockerGid);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException or PlatformNotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"carton-serve: {e.Message}");
            return 1;
        }

        var registry = app.Services.GetRequiredService<ComputeRegistry>();
        try
        {
            int adopted = await registry.AdoptAllAsync(app.Lifetime.ApplicationStopping);
            JsonLog.Info("listening", w =>
            {
                w.WriteString("socket", socket);
                if (dockerSocket is not null) w.WriteString("dockerSocket", dockerSocket);
                w.WriteString("root", root);
                w.WriteString("initBinary", init);
                w.WriteNumber("adopted", adopted);
                w.WriteNumber("pid", Environment.ProcessId);
            });
        }
        catch (Exception e) when (e is IOException or ComputeException or UnauthorizedAccessException)
        {
            JsonLog.Warn("re-adopting existing compute systems failed", w => w.WriteString("error", e.Message));
        }

        // SIGTERM/SIGINT: Kestrel stops accepting, in-flight requests finish (streams and long polls end), and the
        // containers keep running: the daemon never kills or disposes them on the way out.
        await app.WaitForShutdownAsync();
        if (docker is not null)
        {
            // the same SIGTERM stopped it (each app's host listens for it); make sure, and wait for its requests
            await docker.StopAsync();
            try { File.Delete(dockerSocket!); } catch (IOException) { }
        }
        try { File.Delete(socket); } catch (IOException) { }
        JsonLog.Info("stopped");
        return 0;
    }

    /// <summary>`carton` next to this binary, else artifacts/bin/carton (from the working directory up).</summary>
    private static string? FindInitBinary()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "carton");
        if (File.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "bin", "carton");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
