using System.Runtime.Versioning;
using Carton.Compute.Windows;
using Carton.Network.Windows;

namespace Carton.Service;

/// <summary>
/// carton-serve on Windows (issue 18 §7): the same compute, network and image API as on Linux, on the named pipe
/// \\.\pipe\carton (Administrators and SYSTEM only: <see cref="PipeAcl"/>) instead of the Unix socket, over the HCS
/// backend (<see cref="WindowsComputeService"/> with <see cref="OciDocumentSource"/>) and HCN networking
/// (<see cref="WindowsNetworkService"/>). Not served on Windows yet: the Docker Engine API (dockerd's own pipe is
/// \\.\pipe\docker_engine; Carton.Docker's container storage and volumes are Linux mounts today). docs/windows.md
/// says what has run (nothing yet, on Windows) and how to try it.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsServe
{
    public const string DefaultPipe = @"\\.\pipe\carton";

    private const string Usage = """
        usage: carton-serve [--socket \\.\pipe\NAME] [--image-root PATH] [--network-root PATH]

        The carton compute service on Windows: an HTTP/JSON API (GET /openapi.json) on a named pipe that only
        Administrators and SYSTEM may use, over the Host Compute Service (HCS) and Host Compute Network (HCN).

          --socket PIPE        the pipe to listen on (default \\.\pipe\carton)
          --image-root PATH    the image store (default %ProgramData%\carton\images)
          --network-root PATH  Carton's network records (default %ProgramData%\carton\network)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string pipe = DefaultPipe;
        var data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "carton");
        string imageRoot = Path.Combine(data, "images"), networkRoot = Path.Combine(data, "network");
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--socket": pipe = Value(); break;
                    case "--image-root": imageRoot = Path.GetFullPath(Value()); break;
                    case "--network-root": networkRoot = Path.GetFullPath(Value()); break;
                    case "-h" or "--help": Console.Out.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown argument \"{args[i]}\" (on Windows: --socket, --image-root, --network-root)");
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
            if (Carton.Client.DaemonAddress.Parse(pipe).PipeName is null)
                throw new ArgumentException($"--socket {pipe}: on Windows the daemon listens on a named pipe (\\\\.\\pipe\\NAME)");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"carton-serve: {e.Message}");
            return 2;
        }

        WebApplication app;
        try
        {
            var networks = WindowsNetworkService.ForThisHost(new WindowsNetworkServiceOptions { StateRoot = networkRoot });
            var service = WindowsComputeService.CreateForHost(OciDocumentSource.ForHost());
            app = DaemonHost.Build(pipe, service, networks, new Carton.Images.Content.ImageStore(imageRoot));
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException or PlatformNotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"carton-serve: {e.Message}");
            return 1;
        }
        JsonLog.Info("listening", w =>
        {
            w.WriteString("pipe", pipe);
            w.WriteNumber("pid", Environment.ProcessId);
        });
        // Ctrl+C or a service stop: Kestrel stops accepting and in-flight requests finish; the containers keep running
        // (HCS owns them), as on Linux.
        await app.WaitForShutdownAsync();
        JsonLog.Info("stopped");
        return 0;
    }
}
