using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Carton.Compute;
using Carton.Docker.Models;
using Carton.Images.Spec;

namespace Carton.Docker;

/// <summary>One exec instance: made by POST /containers/{id}/exec, run by /exec/{id}/start (once).</summary>
internal sealed class ExecInstance
{
    public required string Id { get; init; }
    public required string ContainerId { get; init; }
    public required ExecConfig Config { get; init; }
    public bool Started { get; set; }
    public bool Running { get; set; }
    public int? ExitCode { get; set; }
    public int Pid { get; set; }
    public IComputeProcess? Process { get; set; }
}

/// <summary>The exec instances, in memory as dockerd keeps them; those of a removed container go with it.</summary>
internal sealed class ExecStore
{
    private readonly ConcurrentDictionary<string, ExecInstance> _execs = new(StringComparer.Ordinal);

    public void Add(ExecInstance exec) => _execs[exec.Id] = exec;

    public ExecInstance Find(string id) => _execs.TryGetValue(id, out var e) ? e : throw DockerErrors.NoSuchExec(id);

    public List<string> IdsOf(string containerId) => [.. _execs.Values.Where(e => e.ContainerId == containerId).Select(e => e.Id)];

    public void ForgetContainer(string containerId)
    {
        foreach (var e in _execs.Values.Where(e => e.ContainerId == containerId).ToList()) _execs.TryRemove(e.Id, out _);
    }
}

/// <summary>The exec endpoints: create, start (hijacked), inspect, resize.</summary>
internal static class ExecEndpoints
{
    /// <summary>POST /containers/{id}/exec.</summary>
    public static async Task Create(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(ContainerEndpoints.Id(ctx));
        var config = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.ExecConfig);
        if (config.Cmd is not { Count: > 0 }) throw DockerErrors.BadRequest("No exec command specified", "Cmd");
        var state = (await services.Containers.PropertiesAsync(record, ctx.RequestAborted)).Summary.State;
        if (state == "paused") throw DockerErrors.Conflict($"Container {record.Id} is paused, unpause the container before exec");
        if (state != "running") throw DockerErrors.NotRunning(record.Id);
        var exec = new ExecInstance { Id = ContainerNames.NewId(), ContainerId = record.Id, Config = config };
        services.Execs.Add(exec);
        services.Events.Container(record, "exec_create: " + string.Join(' ', config.Cmd), ("execID", exec.Id));
        await DockerJson.WriteAsync(ctx, new IdResponse { Id = exec.Id }, DockerJsonContext.Wire.IdResponse, StatusCodes.Status201Created);
    }

    /// <summary>GET /exec/{id}/json.</summary>
    public static Task Inspect(DockerServices services, HttpContext ctx)
    {
        var exec = services.Execs.Find(ContainerEndpoints.Id(ctx));
        var c = exec.Config;
        return DockerJson.WriteAsync(ctx, new ExecInspect
        {
            ID = exec.Id, ContainerID = exec.ContainerId, Running = exec.Running, ExitCode = exec.ExitCode, Pid = exec.Pid,
            OpenStdin = c.AttachStdin, OpenStdout = c.AttachStdout, OpenStderr = c.AttachStderr, CanRemove = false, DetachKeys = c.DetachKeys ?? "",
            ProcessConfig = new ProcessConfig
            {
                Privileged = c.Privileged, User = c.User ?? "", Tty = c.Tty, Entrypoint = c.Cmd![0], Arguments = [.. c.Cmd.Skip(1)],
            },
        }, DockerJsonContext.Wire.ExecInspect);
    }

    /// <summary>POST /exec/{id}/resize?h&amp;w.</summary>
    public static async Task Resize(DockerServices services, HttpContext ctx)
    {
        var exec = services.Execs.Find(ContainerEndpoints.Id(ctx));
        var (h, w) = (ContainerEndpoints.ParseSize(ctx, "h"), ContainerEndpoints.ParseSize(ctx, "w"));
        if (exec.Process is not { } p || !exec.Running) throw DockerErrors.Conflict($"exec {exec.Id} is not running");
        try { await p.ResizeConsoleAsync(h, w, ctx.RequestAborted); }
        catch (InvalidOperationException) { throw DockerErrors.Conflict($"exec {exec.Id} has no tty to resize"); }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>The body of POST /exec/{id}/start (empty: the defaults).</summary>
    private static ExecStartConfig ParseStart(byte[] body)
    {
        try
        {
            return body.Length == 0 ? new ExecStartConfig()
                : JsonSerializer.Deserialize(body, DockerJsonContext.Default.ExecStartConfig) ?? new ExecStartConfig();
        }
        catch (JsonException e) { throw DockerErrors.BadRequest($"malformed JSON in the request body: {e.Message}", e.Path ?? "$"); }
    }

    /// <summary>POST /exec/{id}/start that reached Kestrel: a request on a kept-alive connection, which is how the
    /// docker CLI sends `docker exec -d` (Detach: nothing to hijack). A detached start runs here; an attached one
    /// must open its own connection.</summary>
    public static async Task StartDetached(DockerServices services, HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        var start = ParseStart(buffer.ToArray());
        if (!start.Detach)
            throw DockerErrors.BadRequest("attach and exec start take over their connection: send them as the first request of a new connection");
        var id = (string)ctx.Request.RouteValues["id"]!;
        var (system, process, exited, _) = await StartProcessAsync(services, id, start, ctx.RequestAborted);
        await using var systemHandle = system;
        _ = exited.ContinueWith(_ => process.DisposeAsync().AsTask(), TaskScheduler.Default);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Marks the exec instance started (once), creates its process in the container and watches its exit.
    /// The system's handle is the caller's to dispose (the attached path keeps it while it relays).</summary>
    private static async Task<(IComputeSystem System, IComputeProcess Process, Task<int> Exited, bool Tty)> StartProcessAsync(
        DockerServices services, string execId, ExecStartConfig start, CancellationToken ct, Func<bool, Task>? beforeCreate = null)
    {
        var exec = services.Execs.Find(execId);
        lock (exec)
        {
            if (exec.Started) throw DockerErrors.Conflict($"Exec {exec.Id} has already been started (an exec instance runs once)");
            exec.Started = true;
        }
        var record = services.Containers.Store.Find(exec.ContainerId);
        var c = exec.Config;
        bool tty = c.Tty || start.Tty;
        var system = await services.Containers.SystemAsync(record, ct);
        try
        {
            return await StartProcessAsync(services, exec, record, system, start, tty, ct, beforeCreate);
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    private static async Task<(IComputeSystem System, IComputeProcess Process, Task<int> Exited, bool Tty)> StartProcessAsync(
        DockerServices services, ExecInstance exec, ContainerRecord record, IComputeSystem system, ExecStartConfig start, bool tty, CancellationToken ct,
        Func<bool, Task>? beforeCreate)
    {
        var c = exec.Config;
        var props = await system.GetPropertiesAsync(ct);
        if (props.Summary.State != "running") throw DockerErrors.NotRunning(record.Id);
        if (beforeCreate is not null) await beforeCreate(tty);
        var size = start.ConsoleSize ?? c.ConsoleSize;
        var parameters = new ProcessParameters
        {
            CommandArgs = c.Cmd!, WorkingDirectory = c.WorkingDir is { Length: > 0 } wd ? wd : null,
            User = c.User is { Length: > 0 } u && ResolveUser(u, props.RootfsPath) is var (uid, gid) ? $"{uid}:{gid}" : null,
            Environment = Environment(c.Env),
            CreateStdInPipe = c.AttachStdin && !start.Detach, CreateStdOutPipe = c.AttachStdout && !start.Detach, CreateStdErrPipe = c.AttachStderr && !start.Detach,
            EmulateConsole = tty, ConsoleSize = tty && size is [var h, var w] && h > 0 && w > 0 ? [h, w] : null,
        };
        IComputeProcess process;
        try { process = await system.CreateProcessAsync(parameters, CancellationToken.None); }
        catch (InvalidComputeSystemStateException) { throw DockerErrors.NotRunning(record.Id); }
        exec.Process = process;
        exec.Pid = process.Pid;
        exec.Running = true;
        services.Events.Container(record, "exec_start: " + string.Join(' ', c.Cmd!), ("execID", exec.Id));
        var exited = Task.Run(async () =>
        {
            var code = await process.WaitForExitAsync(CancellationToken.None);
            exec.ExitCode = code;
            exec.Running = false;
            services.Events.Container(record, "exec_die", ("execID", exec.Id), ("exitCode", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return code;
        }, CancellationToken.None);
        return (system, process, exited, tty);
    }

    /// <summary>How long an attached exec's output waits after the head (see <see cref="StartAsync"/>).</summary>
    private static readonly TimeSpan HeadSettle = TimeSpan.FromMilliseconds(50);

    /// <summary>POST /exec/{id}/start, hijacked (or a plain 200 with Detach): runs the process, relays its stdio,
    /// and closes the connection once it has exited and its output is drained.</summary>
    public static async Task StartAsync(DockerServices services, HijackedRequest request, CancellationToken ct)
    {
        var start = ParseStart(request.Body);
        if (start.Detach)
        {
            var (detachedSystem, detached, detachedExit, _) = await StartProcessAsync(services, request.Id, start, ct);
            await using var detachedHandle = detachedSystem;
            await request.RespondAsync(200, "OK", null, ct);
            _ = detachedExit.ContinueWith(_ => detached.DisposeAsync().AsTask(), TaskScheduler.Default);
            return;
        }
        // The head goes out before the process exists, as dockerd's does (it starts the exec after the hijack), and
        // no output follows it within HeadSettle: docker-py (issue 1799) reads the head through a buffered reader,
        // then reads the raw socket, so whatever arrived with the head is lost. dockerd's runc exec takes long enough
        // that this never shows; carton's exec is fast enough that exec_run returned the exit code and no output.
        // A failure to create the process after the head is told in the stream, as dockerd tells it.
        Task outputGate = Task.CompletedTask;
        bool rawStream = false;
        IComputeSystem system;
        IComputeProcess process;
        Task<int> exited;
        bool tty;
        try
        {
            (system, process, exited, tty) = await StartProcessAsync(services, request.Id, start, ct,
                async t =>
                {
                    rawStream = t;
                    await request.StartStreamAsync(t ? StdStream.RawContentType : StdStream.MultiplexedContentType, ct);
                    outputGate = Task.Delay(HeadSettle, ct);
                });
        }
        catch (Exception e) when (request.HeadSent && e is ComputeException or CartonException)
        {
            // framed as the process's stdout unless it has a terminal (dockerd writes it through the same stdcopy writer)
            await StdStream.WriteAsync(request.Output, !rawStream, false, Encoding.UTF8.GetBytes(e.Message + "\r\n"), ct);
            await request.Output.FlushAsync(ct);
            return;
        }
        await using var systemHandle = system;
        try
        {
            var output = request.Output;
            var gate = new SemaphoreSlim(1, 1);
            async Task Pump(Stream? from, bool stderr)
            {
                if (from is null) return;
                var buffer = new byte[32 * 1024];
                while (true)
                {
                    int n;
                    try { n = await from.ReadAsync(buffer, ct); }
                    catch (IOException) { break; } // a pty whose other side is closed: EIO
                    if (n == 0) break;
                    await outputGate;
                    await gate.WaitAsync(ct);
                    try
                    {
                        await StdStream.WriteAsync(output, !tty, stderr, buffer.AsMemory(0, n), ct);
                        await output.FlushAsync(ct);
                    }
                    finally { gate.Release(); }
                }
            }
            using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var input = PumpInputAsync(request, tty ? process.Console : process.StandardInput, closeAtEnd: !tty, done.Token);
            if (tty)
            {
                // the pty reads EIO once the process and everything it started have closed it; a process that
                // exits while a child holds the pty open is done anyway
                var reading = Pump(process.Console, false);
                await Task.WhenAny(reading, exited);
                if (!reading.IsCompleted) await Task.WhenAny(reading, Task.Delay(200, ct));
            }
            else await Task.WhenAll(Pump(process.StandardOutput, false), Pump(process.StandardError, true));
            await exited.WaitAsync(ct);
            await done.CancelAsync();
            try { await input; } catch (OperationCanceledException) { }
        }
        finally
        {
            await process.DisposeAsync();
        }
    }

    /// <summary>The client's input to the process until it ends (closing the process's stdin then, for a pipe).</summary>
    private static async Task PumpInputAsync(HijackedRequest request, Stream? to, bool closeAtEnd, CancellationToken ct)
    {
        if (to is null) return;
        try
        {
            var buffer = new byte[32 * 1024];
            while (true)
            {
                int n = await request.ReadInputAsync(buffer, ct);
                if (n == 0) break;
                await to.WriteAsync(buffer.AsMemory(0, n), ct);
                await to.FlushAsync(ct);
            }
        }
        catch (IOException) { /* the process closed its stdin */ }
        if (closeAtEnd) await to.DisposeAsync();
    }

    private static Dictionary<string, string>? Environment(List<string>? env)
    {
        if (env is not { Count: > 0 }) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        foreach (var entry in env)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0) throw DockerErrors.BadRequest($"invalid environment variable: {entry}", $"Env[{i}]");
            if (eq > 0) result[entry[..eq]] = entry[(eq + 1)..];
            i++;
        }
        return result;
    }

    /// <summary>"user[:group]" with names looked up in the container's own /etc/passwd and /etc/group.</summary>
    public static (uint Uid, uint Gid) ResolveUser(string user, string? rootfs)
    {
        string? Read(string path)
        {
            if (rootfs is null) return null;
            var file = new FileInfo(Path.Combine(rootfs, path.TrimStart('/')));
            // the container owns these files: a symbolic link (or a link in /etc) could point anywhere on the host
            if (!file.Exists || file.LinkTarget is not null || file.Directory?.LinkTarget is not null || file.Length > 4 << 20) return null;
            return File.ReadAllText(file.FullName);
        }
        try
        {
            var (uid, gid, _) = ImageUser.Resolve(user, Read("/etc/passwd"), Read("/etc/group"));
            return (uid, gid);
        }
        catch (CartonException e) { throw DockerErrors.BadRequest(e.Message.Replace("config.User", "User", StringComparison.Ordinal), "User"); }
    }
}
