// ComputeQuickstart: create a container ("compute system") from an image, or from busybox-style layer directories,
// with the compute API, run a process in it, read its statistics, shut it down and delete it.
//
//   dotnet run --project samples/ComputeQuickstart -- [--carton PATH] [--daemon SOCKET] [--image-root DIR] --image REF
//   dotnet run --project samples/ComputeQuickstart -- [--carton PATH] [--daemon SOCKET] LAYER_DIR...
//
// REF: an image reference; pulled into the image store (--image-root, default /var/lib/carton) when it is not there.
// LAYER_DIR: read-only layer directories, base layer first (overlayfs lower layers). Needs root.
// In-process (default) the containers are children of this process; with --daemon SOCKET the same code talks to
// `carton serve` through Carton.Client: the only difference is the line that creates `service`.
using System.Runtime.Versioning;
using Carton.Client;
using Carton.Compute;
using Carton.Compute.Linux;

[assembly: SupportedOSPlatform("linux")]

string? daemonSocket = null, cartonPath = null, image = null, imageRoot = null;
var layers = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--daemon" when i + 1 < args.Length: daemonSocket = args[++i]; break;
        case "--carton" when i + 1 < args.Length: cartonPath = args[++i]; break;
        case "--image" when i + 1 < args.Length: image = args[++i]; break;
        case "--image-root" when i + 1 < args.Length: imageRoot = Path.GetFullPath(args[++i]); break;
        case "-h" or "--help": return Usage(0);
        case var a when a.StartsWith('-'): return Usage(2);
        default: layers.Add(Path.GetFullPath(args[i])); break;
    }
}
if ((layers.Count == 0) == (image is null)) return Usage(2);

// In-process: the carton binary is exec'd as each container's init (ComputeServiceOptions.InitBinaryPath).
// Through the daemon: carton serve was started with its own --init-binary, so nothing to set here.
IComputeService service;
if (daemonSocket is null)
{
    cartonPath ??= FindCarton();
    if (cartonPath is null || !File.Exists(cartonPath))
    {
        Console.Error.WriteLine($"carton binary not found ({cartonPath ?? "artifacts/bin/carton above " + AppContext.BaseDirectory}): run ./scripts/build.sh or pass --carton PATH");
        return 1;
    }
    service = new ComputeService(new ComputeServiceOptions
    {
        InitBinaryPath = Path.GetFullPath(cartonPath),
        ImageRoot = imageRoot ?? new ComputeServiceOptions().ImageRoot,
    });
}
else
{
    service = new ComputeClient(daemonSocket);   // the one-line change: same IComputeService, over the socket
}

// An HCS-shaped document with a 64 MiB memory limit. From layers: no InitProcess, so pid 1 is carton's idle init and
// processes come later through CreateProcessAsync (as with HCS). From an image: the image's Env, WorkingDir and
// User apply, and an InitProcess replaces its command with one that waits for processes and ends on SIGTERM.
var document = new ComputeSystemDocument
{
    Hcs = new HcsSystemDocument
    {
        Owner = "quickstart",
        Container = image is not null
            ? new HcsContainer
            {
                Image = image,
                Memory = new HcsMemory { SizeInMB = 64 },
                InitProcess = new ProcessParameters { CommandArgs = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"] },
            }
            : new HcsContainer
            {
                Storage = new HcsStorage { Layers = [.. layers.Select((path, i) => new HcsLayer { Id = $"layer{i}", Path = path })] },
                Memory = new HcsMemory { SizeInMB = 64 },
                InitProcess = null,
            },
    },
};

var id = $"quickstart-{Environment.ProcessId}";
IComputeSystem? system = null;
try
{
    system = await service.CreateComputeSystemAsync(id, document);
    Console.WriteLine($"created {id} ({(daemonSocket is null ? "in-process" : "through " + daemonSocket)})");
    await system.StartAsync();
    Console.WriteLine("started");

    await using (var process = await system.CreateProcessAsync(new ProcessParameters
    {
        CommandArgs = ["sh", "-c", "echo hello from the container; cat /proc/self/cgroup | head -3"],
        CreateStdOutPipe = true,
        CreateStdErrPipe = true,
    }))
    {
        using var stdout = Console.OpenStandardOutput();
        using var stderr = Console.OpenStandardError();
        await Task.WhenAll(process.StandardOutput!.CopyToAsync(stdout), process.StandardError!.CopyToAsync(stderr));
        Console.WriteLine($"process {process.Pid} exited with {await process.WaitForExitAsync()}");
    }

    var properties = await system.GetPropertiesAsync();
    Console.WriteLine($"state: {properties.Summary.State}, init pid {properties.Summary.Pid}, processes: [{string.Join(", ", properties.Processes)}]");
    if (properties.Statistics is { } stats)
    {
        Console.WriteLine($"memory: {stats.Memory.MemoryUsageCommitBytes / 1024.0:F0} KiB used, limit {stats.Memory.LimitBytes / (1024 * 1024)} MiB");
        Console.WriteLine($"processes: {stats.Processes.Current} current, cpu {stats.Processor.TotalRuntime100ns / 10000.0:F1} ms");
    }
    foreach (var warning in properties.Warnings ?? []) Console.WriteLine($"warning: {warning}");

    // SIGTERM to the init, SIGKILL to everything after 5 s; returns once it has exited.
    await system.ShutdownAsync(TimeSpan.FromSeconds(5));
    Console.WriteLine($"shut down, init exit code {await system.WaitForExitAsync()}");
}
catch (InvalidComputeDocumentException e)
{
    Console.Error.WriteLine($"invalid document at {e.JsonPath}: {e.Message}");
    return 1;
}
catch (ComputeException e)
{
    Console.Error.WriteLine($"{e.Code}: {e.Message}");
    return 1;
}
finally
{
    if (system is not null)
    {
        // Removes cgroups, the overlay mount, the scratch layer and the state (killing whatever still runs).
        try { await system.DeleteAsync(); Console.WriteLine($"deleted {id}"); }
        catch (ComputeException e) { Console.Error.WriteLine($"delete {id}: {e.Code}: {e.Message}"); }
        await system.DisposeAsync();
    }
    (service as IDisposable)?.Dispose();
}
return 0;

static int Usage(int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine("usage: ComputeQuickstart [--carton PATH] [--daemon SOCKET] [--image-root DIR] --image REF\n       ComputeQuickstart [--carton PATH] [--daemon SOCKET] LAYER_DIR... (base layer first; run as root)");
    return code;
}

// artifacts/bin/carton in the first directory above the app that has one (the repository's build output).
static string? FindCarton()
{
    for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir.TrimEnd('/')))
    {
        var candidate = Path.Combine(dir, "artifacts", "bin", "carton");
        if (File.Exists(candidate)) return candidate;
    }
    return null;
}
