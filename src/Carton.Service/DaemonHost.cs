using System.Net.Sockets;
using Carton.Compute;
using Carton.Linux.IO;
using Carton.Linux.Processes;
using Carton.Network;

namespace Carton.Service;

/// <summary>Kestrel on a Unix socket that only root may connect to, serving <see cref="ComputeApi"/> (and
/// <see cref="NetworkApi"/> when there is a network service, <see cref="ImageApi"/> when there is an image store).</summary>
public static class DaemonHost
{
    /// <summary>The largest request body the daemon reads (documents, resources, signals); the stdin and console streams
    /// lift it for their own requests. Kestrel's default (30 MB) is far more than any document needs.</summary>
    public const long MaxRequestBodyBytes = 4 << 20;

    /// <summary>The daemon's app, not started.</summary>
    /// <param name="socketPath">The Unix socket to listen on.</param>
    /// <param name="service">The compute service the /v1/systems routes drive.</param>
    /// <param name="networks">The network service the /v1/networks, /v1/endpoints and /v1/namespaces routes drive;
    /// null: those routes are not mapped (404).</param>
    /// <param name="images">The image store the /v1/images routes drive (the daemon's --image-root); null: not mapped.</param>
    public static WebApplication Build(string socketPath, IComputeService service, INetworkService? networks = null,
        Carton.Images.Content.ImageStore? images = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new JsonLineLoggerProvider());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        var pipe = Carton.Client.DaemonAddress.Parse(socketPath).PipeName;
        if (pipe is not null) UsePipeAcl(builder);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            if (pipe is not null) k.ListenNamedPipe(pipe);
            else k.ListenUnixSocket(socketPath);
            // stdio streams and long polls are idle for as long as the process is: no minimum data rates
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });
        var registry = new ComputeRegistry(service);
        builder.Services.AddSingleton(registry);
        var app = builder.Build();
        ErrorAndLogMiddleware.Use(app);
        ComputeApi.Map(app, registry);
        if (networks is not null) NetworkApi.Map(app, networks);
        if (images is not null) ImageApi.Map(app, images);
        return app;
    }

    /// <summary>A pipe (Windows: \\.\pipe\carton) is open to Administrators and SYSTEM only (<see cref="PipeAcl"/>);
    /// pipes are Windows' alone for Kestrel, so elsewhere this refuses clearly rather than at the first connection.</summary>
    private static void UsePipeAcl(WebApplicationBuilder builder)
    {
        if (!OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("a named pipe is the daemon's address on Windows only; give a Unix socket's path here");
        var acl = PipeAcl.AdministratorsOnly();
        builder.WebHost.UseNamedPipes(o =>
        {
            // the ACL says who may connect; CurrentUserOnly would shut out every administrator but the daemon's account
            o.CurrentUserOnly = false;
            o.PipeSecurity = acl;
        });
    }

    /// <summary>
    /// Removes a stale socket file (refusing to when a daemon answers on it), binds with umask 077 so that the
    /// socket is never reachable by others, then makes it 0600 root:root; with <paramref name="group"/> (the Docker
    /// socket's --docker-group), root:group 0660: chowned first, widened after, so that it is never open to a
    /// group it does not belong to. The group's members must also reach the socket through its directory, so that
    /// directory is then made traversable (0711: others may pass through, not list; the daemon's own socket and
    /// state in it keep their own 0600/0700).
    /// </summary>
    public static async Task StartAsync(WebApplication app, string socketPath, uint? group = null)
    {
        DaemonDirectories.PrepareSocketDirectory(socketPath);
        RemoveStaleSocket(socketPath);
        using (FileCreationMask.Override(0x3F /* 077 */))
        {
            await app.StartAsync();
        }
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (CurrentProcess.EffectiveUserId == 0 && Ownership.TrySetNoFollow(socketPath, 0, group ?? 0) is var errno && errno != 0)
            throw new IOException($"chown {socketPath}: errno {errno}");
        if (group is not null)
        {
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            var dir = Path.GetDirectoryName(Path.GetFullPath(socketPath))!;
            var mode = File.GetUnixFileMode(dir);
            File.SetUnixFileMode(dir, mode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    private static void RemoveStaleSocket(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null) return;
        if (!IsSocket(path))
            throw new IOException($"{path} exists and is not a socket: refusing to replace it");
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path); // nobody listens: a daemon died without cleaning up
            return;
        }
        throw new IOException($"another carton serve is listening on {path}");
    }

    private static bool IsSocket(string path) => FileStatus.OfPath(path, followSymlinks: false) is { IsSocket: true };
}
