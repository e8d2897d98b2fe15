using Carton.Docker;

namespace Carton.Service;

/// <summary>
/// The Docker Engine API's own WebApplication, on its own socket (--docker-socket). A second app rather than a second
/// listener of the daemon's app: the two APIs then cannot reach each other's routes by construction (a route table
/// per app, no dispatch on the connection's local endpoint to get wrong), each has its own pipeline (Docker's error
/// shape and /vX.Y prefix vs. the compute API's), and the Docker routes' catch-alls (/images/{**rest}) cannot shadow
/// a compute route. The cost is a second Kestrel server in the process, which idles at no CPU.
/// </summary>
public static class DockerHost
{
    public static WebApplication Build(string socketPath, DockerServices services)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // attach and exec start take their connections over: the Docker API's own transport (DockerTransport)
        builder.Services.AddSingleton(DockerApi.Transport(services));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new JsonLineLoggerProvider());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.ListenUnixSocket(socketPath);
            // pulls stream progress for as long as they take, and logs/attach (later slices) idle: no minimum data rates
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.Limits.MaxRequestBodySize = DockerApi.MaxRequestBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
        });
        var app = builder.Build();
        DockerApi.Map(app, services);
        return app;
    }
}
