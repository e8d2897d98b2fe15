using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Carton.Compute;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Carton.Service;

/// <summary>
/// The HTTP/JSON surface: exactly <see cref="IComputeService"/>, <see cref="IComputeSystem"/> and
/// <see cref="IComputeProcess"/>, one route per member (openapi.json describes them). Handlers are plain
/// <see cref="RequestDelegate"/>s that read and write JSON through <see cref="ComputeJsonContext"/>: no reflection.
/// </summary>
public static class ComputeApi
{
    public static void Map(WebApplication app, ComputeRegistry registry)
    {
        var stopping = app.Lifetime.ApplicationStopping;

        app.MapGet("/openapi.json", async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await using var s = typeof(ComputeApi).Assembly.GetManifestResourceStream("openapi.json")!;
            await s.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
        });

        // IComputeService
        app.MapPost("/v1/systems", async ctx =>
        {
            var (id, document) = SystemCreateBody.Parse(await JsonBody.ReadBytesAsync(ctx));
            var system = await registry.CreateAsync(id, document, ctx.RequestAborted);
            var summary = await Summary(registry, system, ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status201Created;
            ctx.Response.Headers.Location = "/v1/systems/" + Uri.EscapeDataString(system.Id);
            await JsonBody.WriteAsync(ctx, summary, ComputeJsonContext.Default.ComputeSystemSummary);
        });

        app.MapGet("/v1/systems", async ctx =>
        {
            var q = ctx.Request.Query;
            ComputeSystemQuery? query = null;
            if (q.ContainsKey("id") || q.ContainsKey("owner") || q.ContainsKey("state"))
                query = new ComputeSystemQuery
                {
                    Ids = q.TryGetValue("id", out var ids) ? ids.Where(v => v is not null).Select(v => v!).ToList() : null,
                    Owners = q.TryGetValue("owner", out var owners) ? owners.Where(v => v is not null).Select(v => v!).ToList() : null,
                    States = q.TryGetValue("state", out var states) ? states.Where(v => v is not null).Select(v => v!).ToList() : null,
                };
            var list = new List<ComputeSystemSummary>();
            await foreach (var s in registry.Service.EnumerateComputeSystemsAsync(query, ctx.RequestAborted))
                list.Add(s);
            await JsonBody.WriteAsync(ctx, list, ComputeJsonContext.Default.ListComputeSystemSummary);
        });

        // IComputeSystem
        app.MapGet("/v1/systems/{id}", async ctx =>
        {
            var system = await System(registry, ctx);
            await JsonBody.WriteAsync(ctx, await system.GetPropertiesAsync(ctx.RequestAborted), ComputeJsonContext.Default.ComputeSystemProperties);
        });
        app.MapPost("/v1/systems/{id}/start", ctx => NoContent(registry, ctx, (s, ct) => s.StartAsync(ct)));
        app.MapPost("/v1/systems/{id}/pause", ctx => NoContent(registry, ctx, (s, ct) => s.PauseAsync(ct)));
        app.MapPost("/v1/systems/{id}/resume", ctx => NoContent(registry, ctx, (s, ct) => s.ResumeAsync(ct)));
        app.MapPost("/v1/systems/{id}/terminate", ctx => NoContent(registry, ctx, (s, ct) => s.TerminateAsync(ct)));
        app.MapPost("/v1/systems/{id}/signal", ctx =>
        {
            int signal = QueryInt(ctx, "signal", 1, 64);
            return NoContent(registry, ctx, (s, ct) => s.SignalAsync(signal, ct));
        });
        app.MapPost("/v1/systems/{id}/shutdown", ctx =>
        {
            var timeout = TimeSpan.FromSeconds(10);
            if (ctx.Request.Query.TryGetValue("timeoutSeconds", out var v) && v.Count > 0)
            {
                if (!double.TryParse(v[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || double.IsNaN(seconds) || seconds > int.MaxValue)
                    throw new ComputeException("BadRequest", $"timeoutSeconds: \"{v[0]}\" is not a number of seconds");
                timeout = TimeSpan.FromSeconds(seconds);
            }
            return NoContent(registry, ctx, (s, ct) => s.ShutdownAsync(timeout, ct));
        });
        app.MapGet("/v1/systems/{id}/wait", async ctx =>
        {
            var system = await System(registry, ctx);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
            await WriteExitCode(ctx, await system.WaitForExitAsync(cts.Token));
        });
        app.MapPost("/v1/systems/{id}/resources", async ctx =>
        {
            var system = await System(registry, ctx);
            var resources = ResourcesBody.Parse(await JsonBody.ReadBytesAsync(ctx));
            await system.UpdateResourcesAsync(resources, ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        app.MapDelete("/v1/systems/{id}", async ctx =>
        {
            await registry.DeleteAsync(Id(ctx), ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        app.MapGet("/v1/systems/{id}/events", async ctx =>
        {
            var system = await System(registry, ctx);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
            await using var events = system.EventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            // Subscribe before the headers go out: a client that acts once it has the headers misses nothing.
            var next = events.MoveNextAsync();
            ctx.Response.ContentType = "application/x-ndjson";
            ctx.Response.Headers.CacheControl = "no-cache";
            await ctx.Response.StartAsync(cts.Token);
            await ctx.Response.Body.FlushAsync(cts.Token);
            try
            {
                while (await next)
                {
                    var bytes = JsonSerializer.SerializeToUtf8Bytes(events.Current, ComputeJsonContext.Default.ComputeSystemEvent);
                    await ctx.Response.Body.WriteAsync(bytes, cts.Token);
                    await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), cts.Token);
                    await ctx.Response.Body.FlushAsync(cts.Token);
                    next = events.MoveNextAsync();
                }
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // the client went away or the daemon is stopping: end the stream
            }
        });

        // IComputeProcess
        app.MapPost("/v1/systems/{id}/processes", async ctx =>
        {
            var system = await System(registry, ctx);
            var parameters = await JsonBody.ReadAsync(ctx, ComputeJsonContext.Default.ProcessParameters);
            var process = await system.CreateProcessAsync(parameters, ctx.RequestAborted);
            registry.AddProcess(system.Id, process);
            ctx.Response.StatusCode = StatusCodes.Status201Created;
            await WriteObject(ctx, w => w.WriteNumber("pid", process.Pid));
        });
        app.MapGet("/v1/systems/{id}/processes/{pid}/stdout", ctx =>
        {
            var p = Process(registry, ctx);
            return StreamOut(ctx, p.StdoutGate, p.Process.StandardOutput, "stdout", stopping);
        });
        app.MapGet("/v1/systems/{id}/processes/{pid}/stderr", ctx =>
        {
            var p = Process(registry, ctx);
            return StreamOut(ctx, p.StderrGate, p.Process.StandardError, "stderr", stopping);
        });
        app.MapGet("/v1/systems/{id}/processes/{pid}/console", ctx =>
        {
            var p = Process(registry, ctx);
            return StreamOut(ctx, p.StdoutGate, p.Process.Console, "console", stopping);
        });
        app.MapPost("/v1/systems/{id}/processes/{pid}/stdin", ctx =>
        {
            var p = Process(registry, ctx);
            return StreamIn(ctx, p.StdinGate, p.Process.StandardInput, "stdin", closeAtEnd: true, stopping);
        });
        app.MapPost("/v1/systems/{id}/processes/{pid}/console", ctx =>
        {
            var p = Process(registry, ctx);
            return StreamIn(ctx, p.StdinGate, p.Process.Console, "console", closeAtEnd: false, stopping);
        });
        app.MapPost("/v1/systems/{id}/processes/{pid}/signal", async ctx =>
        {
            var p = Process(registry, ctx);
            int signal = QueryInt(ctx, "signal", 1, 64);
            await p.Process.SignalAsync(signal, ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        app.MapPost("/v1/systems/{id}/processes/{pid}/kill", async ctx =>
        {
            var p = Process(registry, ctx);
            await p.Process.KillAsync(ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        app.MapPost("/v1/systems/{id}/processes/{pid}/resize", async ctx =>
        {
            var p = Process(registry, ctx);
            var rows = (ushort)QueryInt(ctx, "rows", 0, ushort.MaxValue);
            var cols = (ushort)QueryInt(ctx, "cols", 0, ushort.MaxValue);
            await p.Process.ResizeConsoleAsync(rows, cols, ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        app.MapGet("/v1/systems/{id}/processes/{pid}/wait", async ctx =>
        {
            var p = Process(registry, ctx);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
            await WriteExitCode(ctx, await p.Process.WaitForExitAsync(cts.Token));
        });
    }

    private static string Id(HttpContext ctx) => (string)ctx.Request.RouteValues["id"]!;

    private static Task<IComputeSystem> System(ComputeRegistry registry, HttpContext ctx) => registry.GetAsync(Id(ctx), ctx.RequestAborted);

    private static ProcessEntry Process(ComputeRegistry registry, HttpContext ctx)
    {
        var raw = (string)ctx.Request.RouteValues["pid"]!;
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            throw new ComputeException("BadRequest", $"pid: \"{raw}\" is not a process id");
        return registry.GetProcess(Id(ctx), pid);
    }

    private static async Task NoContent(ComputeRegistry registry, HttpContext ctx, Func<IComputeSystem, CancellationToken, Task> op)
    {
        var system = await System(registry, ctx);
        await op(system, ctx.RequestAborted);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task<ComputeSystemSummary> Summary(ComputeRegistry registry, IComputeSystem system, CancellationToken ct)
    {
        await foreach (var s in registry.Service.EnumerateComputeSystemsAsync(new ComputeSystemQuery { Ids = [system.Id] }, ct))
            if (s.Id == system.Id) return s;
        return (await system.GetPropertiesAsync(ct)).Summary;
    }

    private static int QueryInt(HttpContext ctx, string name, int min, int max)
    {
        if (!ctx.Request.Query.TryGetValue(name, out var v) || v.Count == 0)
            throw new ComputeException("BadRequest", $"{name}: required");
        if (!int.TryParse(v[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new ComputeException("BadRequest", $"{name}: \"{v[0]}\" is not an integer in [{min}, {max}]");
        return n;
    }

    /// <summary>Copies one stdio stream of a process to the response, chunk by chunk, until EOF or the client leaves.</summary>
    private static async Task StreamOut(HttpContext ctx, SemaphoreSlim gate, Stream? source, string name, CancellationToken stopping)
    {
        if (source is null)
            throw new ComputeException("NoPipe", $"the process has no {name} (not requested when it was created)");
        if (!await gate.WaitAsync(0))
            throw new ComputeException("StreamInUse", $"the process's {name} is already being read by another request");
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
            ctx.Response.ContentType = "application/octet-stream";
            await ctx.Response.StartAsync(cts.Token);
            await ctx.Response.Body.FlushAsync(cts.Token);
            var buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = await source.ReadAsync(buffer, cts.Token)) > 0)
                {
                    await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), cts.Token);
                    await ctx.Response.Body.FlushAsync(cts.Token);
                }
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // the client went away (a later request may read the rest) or the daemon is stopping
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Copies the streamed request body into the process's stdin (or console), then closes stdin (EOF).</summary>
    private static async Task StreamIn(HttpContext ctx, SemaphoreSlim gate, Stream? target, string name, bool closeAtEnd, CancellationToken stopping)
    {
        if (target is null)
            throw new ComputeException("NoPipe", $"the process has no {name} (not requested when it was created)");
        if (!await gate.WaitAsync(0))
            throw new ComputeException("StreamInUse", $"the process's {name} is already being written by another request");
        // A process's input is a stream as long as the process lives: the daemon's body limit is for documents.
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
        if (ctx.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
        try
        {
            // The reads and writes are not tied to RequestAborted: a client that sends its last bytes and hangs up
            // before this handler runs has already fired it, and a read given that token throws without returning
            // what Kestrel holds. Untied, the read returns the buffered bytes first and then fails as an IOException
            // ("unexpected end of request content"), which is the end of the input.
            var buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = await ctx.Request.Body.ReadAsync(buffer, stopping)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, n), stopping);
                    await target.FlushAsync(stopping);
                }
            }
            catch (IOException)
            {
                // the client went away mid-stream, or the process closed its end (exited): either way the input ends
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                // the connection was aborted while a read was pending
            }
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        finally
        {
            if (closeAtEnd)
            {
                try { await target.DisposeAsync(); }
                catch (IOException) { }
            }
            gate.Release();
        }
    }

    private static Task WriteExitCode(HttpContext ctx, int exitCode) => WriteObject(ctx, w => w.WriteNumber("exitCode", exitCode));

    internal static async Task WriteObject(HttpContext ctx, Action<Utf8JsonWriter> fields)
    {
        var buffer = new MemoryStream();
        await using (var w = new Utf8JsonWriter(buffer, JsonLog.Relaxed))
        {
            w.WriteStartObject();
            fields(w);
            w.WriteEndObject();
        }
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = buffer.Length;
        await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ctx.RequestAborted);
    }
}
