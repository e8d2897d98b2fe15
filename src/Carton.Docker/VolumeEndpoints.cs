using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>The /volumes endpoints over <see cref="DockerVolumes"/> (dockerd's daemon/server/router/volume).</summary>
internal static class VolumeEndpoints
{
    /// <summary>GET /volumes?filters (name, label, driver, dangling).</summary>
    public static async Task List(DockerServices services, HttpContext ctx)
    {
        var filters = DockerFilters.Parse(ctx, "name", "label", "driver", "dangling");
        var volumes = services.Volumes;
        bool? dangling = null;
        if (filters.Has("dangling"))
        {
            var values = filters.Get("dangling");
            if (values.Count > 1 || !TryParseBool(values[0], out var d))
                throw DockerErrors.BadRequest($"invalid filter 'dangling={string.Join(',', values)}'", "filters");
            dangling = d;
        }
        var result = new VolumeListResponse();
        foreach (var r in volumes.All.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (filters.Has("name") && !filters.Match("name", r.Name)) continue;
            if (filters.Has("driver") && !filters.Get("driver").Contains("local")) continue;
            if (!Labels(filters.Get("label"), r.Labels, true)) continue;
            if (dangling is { } want && (volumes.RefsOf(r.Name).Count == 0) != want) continue;
            result.Volumes.Add(volumes.View(r));
        }
        await DockerJson.WriteAsync(ctx, result, DockerJsonContext.Wire.VolumeListResponse);
    }

    /// <summary>POST /volumes/create: 201 with the volume (the existing one when the name is taken, as dockerd).</summary>
    public static async Task Create(DockerServices services, HttpContext ctx)
    {
        var body = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.VolumeCreateRequest);
        var (record, _) = services.Volumes.Create(body.Name, body.Driver, body.DriverOpts, body.Labels, "Name", "Driver", "DriverOpts");
        await DockerJson.WriteAsync(ctx, services.Volumes.View(record), DockerJsonContext.Wire.Volume, StatusCodes.Status201Created);
    }

    /// <summary>GET /volumes/{name}.</summary>
    public static async Task Inspect(DockerServices services, HttpContext ctx)
    {
        var record = services.Volumes.Find(Name(ctx));
        await DockerJson.WriteAsync(ctx, services.Volumes.View(record), DockerJsonContext.Wire.Volume);
    }

    /// <summary>DELETE /volumes/{name}?force: 409 while a container uses it; force only ignores a missing one (dockerd).</summary>
    public static Task Delete(DockerServices services, HttpContext ctx)
    {
        services.Volumes.Remove(Name(ctx), Query.Bool(ctx, "force"));
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>POST /volumes/prune?filters (label, label!, all). From API 1.42 only anonymous volumes go unless
    /// all=true; older clients prune every unused one (dockerd adds all=true for them).</summary>
    public static async Task Prune(DockerServices services, HttpContext ctx)
    {
        var filters = DockerFilters.Parse(ctx, "label", "label!", "all");
        bool all = VersionMiddleware.Of(ctx) < new ApiVersion(1, 42);
        if (filters.Has("all"))
        {
            var values = filters.Get("all");
            if (values.Count > 1) throw DockerErrors.BadRequest($"invalid filter 'all={string.Join(',', values)}': only one value is expected", "filters");
            if (!TryParseBool(values[0], out var a)) throw DockerErrors.BadRequest($"invalid filter 'all': invalid syntax: {values[0]}", "filters");
            all |= a;
        }
        var report = services.Volumes.Prune(all, r => Labels(filters.Get("label"), r.Labels, true) && Labels(filters.Get("label!"), r.Labels, false));
        await DockerJson.WriteAsync(ctx, report, DockerJsonContext.Wire.VolumePruneResponse);
    }

    /// <summary>Every "key" or "key=value" of <paramref name="filters"/> present (or, with <paramref name="present"/>
    /// false, absent) in <paramref name="labels"/>.</summary>
    private static bool Labels(IReadOnlyList<string> filters, Dictionary<string, string> labels, bool present)
    {
        foreach (var f in filters)
        {
            int eq = f.IndexOf('=', StringComparison.Ordinal);
            bool has = eq < 0 ? labels.ContainsKey(f) : labels.TryGetValue(f[..eq], out var v) && v == f[(eq + 1)..];
            if (has != present) return false;
        }
        return true;
    }

    /// <summary>Go's strconv.ParseBool.</summary>
    private static bool TryParseBool(string s, out bool value)
    {
        value = s is "1" or "t" or "T" or "true" or "TRUE" or "True";
        return value || s is "0" or "f" or "F" or "false" or "FALSE" or "False";
    }

    private static string Name(HttpContext ctx) => (string?)ctx.Request.RouteValues["name"] ?? "";
}
