using System.Globalization;
using System.Text;
using System.Text.Json;
using Carton.Compute;
using Carton.Docker.Models;
using Carton.Network;

namespace Carton.Docker;

/// <summary>The /containers endpoints (attach is a hijacked stream: <see cref="HijackedStreams"/>).</summary>
internal static class ContainerEndpoints
{
    /// <summary>POST /containers/create?name=NAME.</summary>
    public static async Task Create(DockerServices services, HttpContext ctx)
    {
        var body = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.ContainerCreateBody);
        if (string.IsNullOrEmpty(body.Image)) throw DockerErrors.BadRequest("Config.Image is required: the image to create the container from", "Image");
        var images = ImageCatalog.Load(services.Images);
        var (image, found) = ImageCatalog.Find(images, body.Image);
        var imageRef = (found ?? image.Records[0]).Name;
        var containers = services.Containers;
        var id = ContainerNames.NewId();
        var requested = Query.String(ctx, "name");
        string name;
        if (string.IsNullOrEmpty(requested)) name = ContainerNames.Generate(n => containers.Store.TryReserve(n, id));
        else containers.Store.Reserve(name = ContainerNames.Normalize(requested), id);
        bool saved = false;
        ContainerRecord? record = null;
        var volumes = services.VolumesRoot is null ? null : services.Volumes.Claim(id);
        try
        {
            var logPath = Path.Combine(containers.Store.DirectoryOf(id), id + "-json.log");
            var result = ContainerDocument.Build(body, imageRef, image.Image.Config.Config, id, name, logPath, other => NamespaceOf(containers.Store, other, 0), volumes);
            ContainerCreateConfig config = body;
            // the image's HEALTHCHECK under the client's (validated above as given; the image's is the image's)
            body.Healthcheck = HealthMonitor.Merge(body.Healthcheck, image.Image.Config.Config?.Healthcheck);
            record = new ContainerRecord
            {
                Id = id, Name = name, Created = DateTime.UtcNow, Image = body.Image, ImageId = image.Id, Command = result.Command,
                Config = Copy(config), HostConfig = body.HostConfig ?? new HostConfig(), LogPath = logPath,
                StopSignal = body.StopSignal ?? image.Image.Config.Config?.StopSignal, Volumes = volumes?.Volumes ?? [],
            };
            record.Config.Hostname = string.IsNullOrEmpty(body.Hostname) ? id[..12] : body.Hostname;
            // as dockerd records it: the default driver named, an empty Config rather than null
            record.HostConfig.LogConfig = LogDrivers.Normalize(record.HostConfig.LogConfig);
            // recorded as inspect reports it ("bridge" for the default), once, instead of rewritten on every inspect
            record.HostConfig.NetworkMode = ContainerViews.NetworkMode(record);
            foreach (var (network, settings) in body.NetworkingConfig?.EndpointsConfig ?? []) record.Networks[network] = settings;
            containers.Store.Save(record);
            saved = true;
            // the create runs to its end even if the client leaves: a half-made container would be worse
            await using (await services.Compute.CreateComputeSystemAsync(id, result.Document, CancellationToken.None)) { }
            if (volumes is { CopyUps.Count: > 0 }) await VolumeCopyUp.RunAsync(services, record, volumes.CopyUps, result.Warnings);
            services.Events.Container(record, "create");
            await DockerJson.WriteAsync(ctx, new ContainerCreateResponse { Id = id, Warnings = result.Warnings }, DockerJsonContext.Wire.ContainerCreateResponse, StatusCodes.Status201Created);
        }
        catch
        {
            if (saved && record is not null) containers.Store.Remove(record);
            else containers.Store.Release(name, id);
            volumes?.Rollback();
            throw;
        }
    }

    /// <summary>The body's Config fields alone (the record keeps them without HostConfig and NetworkingConfig).</summary>
    private static ContainerCreateConfig Copy(ContainerCreateConfig c) => new()
    {
        Hostname = c.Hostname, Domainname = c.Domainname, User = c.User, AttachStdin = c.AttachStdin, AttachStdout = c.AttachStdout,
        AttachStderr = c.AttachStderr, ExposedPorts = c.ExposedPorts, Tty = c.Tty, OpenStdin = c.OpenStdin, StdinOnce = c.StdinOnce,
        Env = c.Env, Cmd = c.Cmd, Image = c.Image, Volumes = c.Volumes, WorkingDir = c.WorkingDir, Entrypoint = c.Entrypoint,
        NetworkDisabled = c.NetworkDisabled, Labels = c.Labels, StopSignal = c.StopSignal, StopTimeout = c.StopTimeout, Healthcheck = c.Healthcheck,
    };

    /// <summary>The network namespace a container:ID network mode joins: that container's (following its own container: mode).</summary>
    private static string NamespaceOf(ContainerStore store, string other, int depth)
    {
        var r = store.Find(other);
        var mode = r.HostConfig.NetworkMode ?? "";
        if (mode.StartsWith("container:", StringComparison.Ordinal) && depth < 8) return NamespaceOf(store, mode["container:".Length..], depth + 1);
        if (mode is "host" or "none")
            throw DockerErrors.Conflict($"cannot join the network namespace of container {other}: its network mode is {mode}");
        return r.Id;
    }

    /// <summary>GET /containers/json?all&amp;limit&amp;filters.</summary>
    public static async Task List(DockerServices services, HttpContext ctx)
    {
        var filters = DockerFilters.Parse(ctx, "id", "name", "label", "status", "ancestor", "network", "exited", "before", "since", "health");
        bool all = Query.Bool(ctx, "all");
        int limit = int.TryParse(Query.String(ctx, "limit"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : -1;
        var summaries = new Dictionary<string, ComputeSystemSummary>(StringComparer.Ordinal);
        await foreach (var s in services.Compute.EnumerateComputeSystemsAsync(null, ctx.RequestAborted)) summaries[s.Id] = s;
        var network = await ContainerViews.NetworkViewAsync(services, ctx.RequestAborted);
        var images = ImageCatalog.Load(services.Images);
        var result = new List<ContainerSummary>();
        foreach (var record in services.Containers.Store.All.OrderByDescending(r => r.Created))
        {
            if (!summaries.TryGetValue(record.Id, out var summary)) continue;
            bool restarting = services.Containers.IsRestarting(record.Id);
            var state = restarting ? "restarting" : ContainerViews.DockerState(summary.State);
            if (!all && !filters.Has("status") && state is not ("running" or "paused" or "restarting")) continue;
            if (!Matches(record, summary, state, filters, network, images)) continue;
            // health: starting, healthy, unhealthy, or none for a container without a healthcheck (dockerd's)
            if (filters.Has("health") && !filters.Get("health").Contains(services.Containers.HealthOf(record.Id)?.Status ?? "none")) continue;
            result.Add(ContainerViews.WithRestartAndHealth(ContainerViews.Summary(record, summary, network, images), summary,
                restarting, services.Containers.HealthOf(record.Id)));
            if (limit > 0 && result.Count >= limit) break;
        }
        await DockerJson.WriteAsync(ctx, result, DockerJsonContext.Wire.ListContainerSummary);
    }

    private static bool Matches(ContainerRecord r, ComputeSystemSummary s, string state, DockerFilters f, ContainerViews.NetworkView network, List<DockerImage> images)
    {
        if (f.Has("id") && !f.Get("id").Any(v => r.Id.StartsWith(v, StringComparison.Ordinal))) return false;
        if (f.Has("name") && !f.Match("name", r.Name, r.Name.TrimStart('/'))) return false;
        if (f.Has("status") && !f.Get("status").Contains(state)) return false;
        if (f.Has("exited") && !(state == "exited" && f.Get("exited").Contains((s.ExitCode ?? 0).ToString(CultureInfo.InvariantCulture)))) return false;
        if (f.Has("label"))
        {
            foreach (var label in f.Get("label"))
            {
                var eq = label.IndexOf('=', StringComparison.Ordinal);
                var labels = r.Config.Labels ?? [];
                if (eq < 0 ? !labels.ContainsKey(label) : !(labels.TryGetValue(label[..eq], out var v) && v == label[(eq + 1)..])) return false;
            }
        }
        if (f.Has("ancestor"))
        {
            bool any = false;
            foreach (var a in f.Get("ancestor"))
            {
                try { any |= ImageCatalog.Find(images, a).Image.Id == r.ImageId; }
                catch (CartonException) { any |= a == r.Image; }
            }
            if (!any) return false;
        }
        if (f.Has("network"))
        {
            var names = network.NetworksOf(r.Id).Select(e => ContainerViews.DockerNetworkName(e.Network)).ToList();
            var ids = network.NetworksOf(r.Id).Select(e => e.NetworkId).ToList();
            if (!f.Get("network").Any(n => names.Contains(n) || ids.Any(i => i.StartsWith(n, StringComparison.Ordinal)))) return false;
        }
        return true;
    }

    /// <summary>GET /containers/{id}/json.</summary>
    public static async Task Inspect(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(Id(ctx));
        var props = await services.Containers.PropertiesAsync(record, ctx.RequestAborted);
        var network = await ContainerViews.NetworkViewAsync(services, ctx.RequestAborted);
        NamespaceInfo? ns = null;
        if (services.Networks is { } networks)
            try { ns = await networks.InspectNamespaceAsync(record.Id, ctx.RequestAborted); }
            catch (CartonException e) when (e.Kind == ErrorKind.NotFound) { }
        var inspect = ContainerViews.Inspect(record, props, network, services.Execs.IdsOf(record.Id), ns);
        ContainerViews.AddRestartAndHealth(inspect.State, services.Containers.IsRestarting(record.Id), services.Containers.HealthOf(record.Id));
        await DockerJson.WriteAsync(ctx, inspect, DockerJsonContext.Wire.ContainerInspect);
    }

    /// <summary>POST /containers/{id}/start: 304 when it already runs.</summary>
    public static async Task Start(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(Id(ctx));
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try
        {
            await using var system = await containers.SystemAsync(record, ctx.RequestAborted);
            var state = (await system.GetPropertiesAsync(ctx.RequestAborted)).Summary.State;
            if (state is "running" or "paused")
            {
                ctx.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            containers.ResetForStart(record);
            await containers.StartSystemAsync(system, record.Id);
            containers.VolumesMounted(record);
            await ContainerUpdate.ApplyPendingAsync(services, record, system);
            services.Events.Container(record, "start");
            containers.Watch(record);
        }
        finally { gate.Release(); }
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>POST /containers/{id}/stop?t=SECONDS&amp;signal=SIG: 304 when it is not running.</summary>
    public static async Task Stop(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(Id(ctx));
        bool stopped = await StopAsync(services, record, ctx);
        if (stopped) services.Events.Container(record, "stop");
        ctx.Response.StatusCode = stopped ? StatusCodes.Status204NoContent : StatusCodes.Status304NotModified;
    }

    /// <summary>The stop signal (?signal, the container's StopSignal, the image's, SIGTERM), then SIGKILL to every
    /// process after ?t seconds (the container's StopTimeout, 10 by default; -1 waits for ever).</summary>
    private static async Task<bool> StopAsync(DockerServices services, ContainerRecord record, HttpContext ctx)
    {
        var containers = services.Containers;
        int timeout = record.Config.StopTimeout ?? 10;
        if (Query.String(ctx, "t") is { Length: > 0 } t && !int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out timeout))
            throw DockerErrors.BadRequest($"invalid value for t: {t}", "t");
        int signal = Signals.Parse(Query.String(ctx, "signal") is { Length: > 0 } s ? s : record.StopSignal ?? "SIGTERM", "signal");
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try
        {
            await using var system = await containers.SystemAsync(record, ctx.RequestAborted);
            var state = (await system.GetPropertiesAsync(ctx.RequestAborted)).Summary.State;
            // a client's stop keeps the container down: its restart policy does not bring it back (dockerd's
            // HasBeenManuallyStopped and ExitOnNext); one waiting to be restarted is thereby stopped
            if (state is not ("running" or "paused")) return containers.StoppedByClient(record, cancelRestart: true);
            containers.StoppedByClient(record, cancelRestart: true);
            if (state == "paused") await system.ResumeAsync(CancellationToken.None);
            try { await system.SignalAsync(signal, CancellationToken.None); }
            catch (InvalidComputeSystemStateException) { return true; }
            services.Events.Container(record, "kill", ("signal", signal.ToString(CultureInfo.InvariantCulture)));
            var exited = system.WaitForExitAsync(CancellationToken.None);
            if (timeout >= 0 && await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(timeout))) != exited)
            {
                try { await system.TerminateAsync(CancellationToken.None); }
                catch (ComputeSystemAlreadyStoppedException) { }
                services.Events.Container(record, "kill", ("signal", "9"));
            }
            await exited;
            return true;
        }
        finally { gate.Release(); }
    }

    /// <summary>POST /containers/{id}/kill?signal=SIG (SIGKILL by default): 409 when it is not running.</summary>
    public static async Task Kill(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(Id(ctx));
        int signal = Signals.Parse(Query.String(ctx, "signal") is { Length: > 0 } s ? s : "SIGKILL", "signal");
        await using var system = await services.Containers.SystemAsync(record, ctx.RequestAborted);
        var state = (await system.GetPropertiesAsync(ctx.RequestAborted)).Summary.State;
        // dockerd's killWithSignal: stopped by a client; the restart policy is off for SIGKILL, for the container's
        // stop signal, and for any signal when it has none of its own
        bool cancelRestart = signal == 9 || record.StopSignal is not { Length: > 0 } stopSignal
            || (Carton.Oci.SignalNames.TryParse(stopSignal.Trim().ToUpperInvariant(), out int own) && own == signal);
        if (services.Containers.IsRestarting(record.Id))
        {
            // a container waiting to be restarted has no process to signal: cancelling the restart is enough (dockerd)
            services.Containers.StoppedByClient(record, cancelRestart);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        if (state is "running" or "paused") services.Containers.StoppedByClient(record, cancelRestart);
        try { await system.SignalAsync(signal, ctx.RequestAborted); }
        catch (InvalidComputeSystemStateException) { throw DockerErrors.NotRunning(record.Id); }
        services.Events.Container(record, "kill", ("signal", signal.ToString(CultureInfo.InvariantCulture)));
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>POST /containers/{id}/restart?t=SECONDS: stop (if it runs), then start.</summary>
    public static async Task Restart(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(Id(ctx));
        await StopAsync(services, record, ctx);
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try
        {
            await using var system = await containers.SystemAsync(record, ctx.RequestAborted);
            // dockerd's containerRestart starts with a reset restart manager: the count back to 0
            containers.ResetForStart(record);
            await containers.StartSystemAsync(system, record.Id);
            containers.VolumesMounted(record);
            await ContainerUpdate.ApplyPendingAsync(services, record, system);
            services.Events.Container(record, "start");
            services.Events.Container(record, "restart");
            containers.Watch(record);
        }
        finally { gate.Release(); }
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>POST /containers/{id}/wait?condition=not-running|next-exit|removed. The status goes out at once (a
    /// client may wait for hours, and `docker run` waits before it starts the container); the body when it exits.</summary>
    public static async Task Wait(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(Id(ctx));
        var condition = Query.String(ctx, "condition") is { Length: > 0 } c ? c : "not-running";
        if (condition is not ("not-running" or "next-exit" or "removed"))
            throw DockerErrors.BadRequest($"invalid condition: \"{condition}\"", "condition");
        var ct = ctx.RequestAborted;
        await using var system = await containers.SystemAsync(record, ct);
        // subscribed before the state is read: an exit between the two is not missed
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var events = system.EventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var nextExit = NextExitAsync(events);
        var summary = (await system.GetPropertiesAsync(ct)).Summary;
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.StartAsync(ct);
        await ctx.Response.Body.FlushAsync(ct);
        int code;
        if (condition == "not-running" && summary.State is not ("running" or "paused")) code = summary.ExitCode ?? 0;
        else if (condition == "removed" && summary.State == "stopped" && !record.HostConfig.AutoRemove) code = summary.ExitCode ?? 0;
        else code = await nextExit;
        await cts.CancelAsync();
        WaitError? error = null;
        if (condition == "removed")
        {
            // the status line is out: a removal that failed is said in the body, as dockerd does
            try { await containers.Removed(record.Id).WaitAsync(ct); }
            catch (Exception e) when (e is ComputeException or CartonException or IOException) { error = new WaitError { Message = e.Message }; }
        }
        await DockerJson.WriteLineAsync(ctx.Response.Body, new ContainerWaitResponse { StatusCode = code, Error = error }, DockerJsonContext.Wire.ContainerWaitResponse, "\n", ct);
    }

    private static async Task<int> NextExitAsync(IAsyncEnumerator<ComputeSystemEvent> events)
    {
        try
        {
            while (await events.MoveNextAsync())
                if (events.Current is { Type: "exit", ExitCode: { } code }) return code;
            return -1;
        }
        catch (OperationCanceledException) { return -1; }
        finally { await events.DisposeAsync(); }
    }

    /// <summary>DELETE /containers/{id}?force&amp;v (v: its anonymous volumes go too).</summary>
    public static async Task Delete(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(Id(ctx));
        await services.Containers.RemoveAsync(record, Query.Bool(ctx, "force"), ctx.RequestAborted, removeVolumes: Query.Bool(ctx, "v"));
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>GET /containers/{id}/logs?follow&amp;stdout&amp;stderr&amp;since&amp;until&amp;timestamps&amp;tail.</summary>
    public static async Task Logs(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(Id(ctx));
        bool stdout = Query.Bool(ctx, "stdout"), stderr = Query.Bool(ctx, "stderr");
        if (!stdout && !stderr) throw DockerErrors.BadRequest("Bad parameters: you must choose at least one stream", "stdout");
        // as dockerd (daemon/logs.go): the none driver keeps nothing to read; its error is a 501 (NotImplemented)
        if (record.HostConfig.LogConfig?.Type == LogDrivers.None)
            throw new CartonException(ErrorKind.Unsupported, "configured logging driver does not support reading");
        int? tail = null;
        if (Query.String(ctx, "tail") is { Length: > 0 } t && t != "all")
        {
            if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) throw DockerErrors.BadRequest($"invalid value for tail: {t}", "tail");
            tail = n;
        }
        var options = new JsonFileLog.Options
        {
            Stdout = stdout, Stderr = stderr, Tail = tail, Follow = Query.Bool(ctx, "follow"),
            Since = JsonFileLog.ParseTime(Query.String(ctx, "since"), "since"), Until = JsonFileLog.ParseTime(Query.String(ctx, "until"), "until"),
        };
        bool timestamps = Query.Bool(ctx, "timestamps");
        bool multiplexed = !record.Config.Tty;
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = multiplexed ? StdStream.MultiplexedContentType : StdStream.RawContentType;
        await ctx.Response.StartAsync(ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        var Running = containers.LogStillWritten(record);
        await foreach (var e in JsonFileLog.ReadAsync(record.LogPath, options, Running, ctx.RequestAborted))
        {
            var text = timestamps ? RfcNano(e) + " " + e.Text : e.Text;
            await StdStream.WriteAsync(ctx.Response.Body, multiplexed, e.Stderr, Encoding.UTF8.GetBytes(text), ctx.RequestAborted);
            if (options.Follow) await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        }
    }

    /// <summary>The entry's time as Docker prints it with --timestamps (RFC 3339 with nanoseconds).</summary>
    private static string RfcNano(JsonFileLog.Entry e) => e.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);

    /// <summary>POST /containers/{id}/resize?h&amp;w: the init's pty.</summary>
    public static async Task Resize(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(Id(ctx));
        var (h, w) = (ParseSize(ctx, "h"), ParseSize(ctx, "w"));
        var props = await services.Containers.PropertiesAsync(record, ctx.RequestAborted);
        if (props.InitAttachSocket is not { } socket) throw DockerErrors.Conflict($"cannot resize container {record.Id}: it is not running");
        using var attach = await InitAttach.ConnectAsync(socket, ctx.RequestAborted);
        await attach.ResizeAsync(h, w, ctx.RequestAborted);
        services.Events.Container(record, "resize", ("height", h.ToString(CultureInfo.InvariantCulture)), ("width", w.ToString(CultureInfo.InvariantCulture)));
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    public static ushort ParseSize(HttpContext ctx, string name)
    {
        var v = Query.String(ctx, name);
        if (!ushort.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw DockerErrors.BadRequest($"invalid value for {name}: \"{v}\"", name);
        return n;
    }

    /// <summary>HEAD and GET /containers/{id}/archive?path=P: the path's stat in a header; GET adds its tar.</summary>
    public static async Task ArchiveGet(DockerServices services, HttpContext ctx)
    {
        var (files, rootfs, path) = await ArchiveTarget(services, ctx);
        var stat = files.Stat(rootfs, path);
        ctx.Response.Headers["X-Docker-Container-Path-Stat"] = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(stat, DockerJsonContext.Wire.ContainerPathStat));
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        if (HttpMethods.IsHead(ctx.Request.Method)) return;
        services.Events.Container(services.Containers.Store.Find(Id(ctx)), "archive-path");
        ctx.Response.ContentType = "application/x-tar";
        await files.WriteTarAsync(rootfs, path, ctx.Response.Body, ctx.RequestAborted);
    }

    /// <summary>PUT /containers/{id}/archive?path=DIR&amp;noOverwriteDirNonDir&amp;copyUIDGID: the body is a tar extracted under DIR.</summary>
    public static async Task ArchivePut(DockerServices services, HttpContext ctx)
    {
        var (files, rootfs, path) = await ArchiveTarget(services, ctx);
        // a tar may be large: this request, alone, reads past the JSON bodies' limit
        if (ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null;
        var record = services.Containers.Store.Find(Id(ctx));
        (uint, uint)? chown = null;
        // copyUIDGID: the files become the container's user's (dockerd does this only when the container has one)
        if (Query.Bool(ctx, "copyUIDGID") && record.Config.User is { Length: > 0 } user)
        {
            chown = ExecEndpoints.ResolveUser(user, rootfs);
        }
        await files.ExtractTarAsync(rootfs, path, ctx.Request.Body, Query.Bool(ctx, "noOverwriteDirNonDir"), chown, ctx.RequestAborted);
        services.Events.Container(record, "extract-to-dir");
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task<(IContainerFiles Files, string Rootfs, string Path)> ArchiveTarget(DockerServices services, HttpContext ctx)
    {
        var record = services.Containers.Store.Find(Id(ctx));
        var path = Query.String(ctx, "path");
        if (string.IsNullOrEmpty(path)) throw DockerErrors.BadRequest("path is required", "path");
        var files = services.Files ?? throw DockerErrors.NotYet("copying files in and out of containers (archive)");
        var props = await services.Containers.PropertiesAsync(record, ctx.RequestAborted);
        if (props.RootfsPath is not { } rootfs) throw DockerErrors.Conflict($"container {record.Id} has no root file system the daemon can reach");
        // a relative path is relative to the container's working directory (/ when it has none)
        if (!path.StartsWith('/')) path = "/" + (record.Config.WorkingDir is { Length: > 0 } wd ? wd.TrimEnd('/') + "/" : "").TrimStart('/') + path;
        return (files, rootfs, path);
    }

    public static string Id(HttpContext ctx) => (string?)ctx.Request.RouteValues["id"] ?? "";
}
