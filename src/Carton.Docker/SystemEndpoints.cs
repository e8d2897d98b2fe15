using System.Runtime.InteropServices;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>/_ping, /version and /info: what every client asks first (the CLIs negotiate the API version from
/// /_ping's Api-Version header).</summary>
internal static class SystemEndpoints
{
    public static async Task Ping(DockerServices services, HttpContext ctx)
    {
        var headers = ctx.Response.Headers;
        headers["Docker-Experimental"] = "false";
        headers["Builder-Version"] = "1";
        headers["Swarm"] = "inactive";
        headers.CacheControl = "no-cache, no-store, must-revalidate";
        headers.Pragma = "no-cache";
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        if (HttpMethods.IsHead(ctx.Request.Method))
        {
            ctx.Response.ContentLength = 0;
            return;
        }
        ctx.Response.ContentLength = 2;
        await ctx.Response.Body.WriteAsync("OK"u8.ToArray(), ctx.RequestAborted);
    }

    public static Task Version(DockerServices services, HttpContext ctx)
    {
        var host = services.Host;
        string arch = GoArch();
        var runtime = ".NET " + Environment.Version;
        var version = new SystemVersion
        {
            Platform = new VersionPlatform { Name = "Carton" },
            Components =
            [
                new VersionComponent
                {
                    Name = "Engine", Version = host.Version,
                    Details = new()
                    {
                        ["ApiVersion"] = ApiVersion.Maximum.ToString(), ["MinAPIVersion"] = ApiVersion.Minimum.ToString(),
                        ["GitCommit"] = "", ["GoVersion"] = runtime, ["Os"] = "linux", ["Arch"] = arch,
                        ["KernelVersion"] = host.KernelVersion, ["Experimental"] = "false", ["BuildTime"] = "",
                    },
                },
                new VersionComponent { Name = "carton", Version = host.Version, Details = new() { ["GitCommit"] = "" } },
            ],
            Version = host.Version,
            ApiVersion = ApiVersion.Maximum.ToString(),
            MinAPIVersion = ApiVersion.Minimum.ToString(),
            GoVersion = runtime,
            Os = "linux",
            Arch = arch,
            KernelVersion = host.KernelVersion,
        };
        return DockerJson.WriteAsync(ctx, version, DockerJsonContext.Wire.SystemVersion);
    }

    public static async Task Info(DockerServices services, HttpContext ctx)
    {
        var host = services.Host;
        int running = 0, paused = 0, stopped = 0;
        await foreach (var s in services.Compute.EnumerateComputeSystemsAsync(null, ctx.RequestAborted))
        {
            switch (s.State)
            {
                case "running": running++; break;
                case "paused": paused++; break;
                default: stopped++; break; // created and stopped: Docker counts both as stopped
            }
        }
        var info = new SystemInfo
        {
            ID = host.Id,
            Containers = running + paused + stopped,
            ContainersRunning = running,
            ContainersPaused = paused,
            ContainersStopped = stopped,
            Images = ImageCatalog.Load(services.Images).Count,
            Driver = "overlayfs",
            DriverStatus = [["Snapshotter", "overlayfs (one layer per chain id)"]],
            DockerRootDir = host.RootDirectory,
            Plugins = new PluginsInfo { Network = ["bridge"], Log = ["json-file", "local", "none"] },
            MemoryLimit = true,
            SwapLimit = true,
            CpuCfsPeriod = true,
            CpuCfsQuota = true,
            CPUShares = true,
            CPUSet = true,
            PidsLimit = true,
            IPv4Forwarding = true,
            SystemTime = DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:ss.fffffffK", System.Globalization.CultureInfo.InvariantCulture),
            LoggingDriver = "json-file",
            CgroupDriver = host.CgroupDriver,
            CgroupVersion = host.CgroupVersion,
            KernelVersion = host.KernelVersion,
            OperatingSystem = host.OperatingSystem,
            OSVersion = host.OsVersion,
            OSType = "linux",
            Architecture = host.Machine,
            NCPU = host.Cpus,
            MemTotal = host.MemoryBytes,
            IndexServerAddress = "https://index.docker.io/v1/",
            RegistryConfig = new RegistryServiceConfig
            {
                // Carton.Images speaks plain HTTP to loopback registries without being told (as dockerd does)
                InsecureRegistryCIDRs = ["127.0.0.0/8", "::1/128"],
                IndexConfigs = new() { ["docker.io"] = new IndexInfo { Name = "docker.io", Secure = true, Official = true } },
            },
            Name = host.Name,
            ServerVersion = host.Version,
            Runtimes = new() { ["carton"] = new RuntimeInfo { Path = host.RuntimePath } },
            DefaultRuntime = "carton",
            Isolation = "",
            InitBinary = "",
            SecurityOptions = [], // none applied by default yet: the container slice decides seccomp and cgroupns
            Warnings = host.Warnings.Count > 0 ? [.. host.Warnings] : null,
        };
        await DockerJson.WriteAsync(ctx, info, DockerJsonContext.Wire.SystemInfo);
    }

    /// <summary>Go's GOARCH name of this machine, which /version reports.</summary>
    private static string GoArch() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "386",
        Architecture.Arm => "arm",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.RiscV64 => "riscv64",
        var a => a.ToString().ToLowerInvariant(),
    };
}
