using System.Globalization;
using Carton.Compute;
using Carton.Docker.Models;
using Carton.Network;

namespace Carton.Docker;

/// <summary>
/// POST /containers/prune, /networks/prune and /images/prune (dockerd's daemon/prune.go and
/// images/image_prune.go): what is not in use and passes the filters (<see cref="PruneFilters"/>) goes, each with
/// its own event (container destroy, network destroy, image untag and delete), then one "prune" event of the type
/// with the bytes reclaimed.
/// </summary>
internal static class PruneEndpoints
{
    /// <summary>POST /containers/prune: every container that is not running (created or exited).</summary>
    public static async Task Containers(DockerServices services, HttpContext ctx)
    {
        var filters = PruneFilters.Parse(ctx);
        var containers = services.Containers;
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var s in services.Compute.EnumerateComputeSystemsAsync(null, ctx.RequestAborted)) states[s.Id] = s.State;
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var record in containers.Store.All.OrderBy(r => r.Created))
        {
            if (!states.TryGetValue(record.Id, out var state) || state is "running" or "paused") continue;
            if (!filters.Selects(record.Created, record.Config.Labels)) continue;
            long size = services.Storage?.WritableSize(record.Id) ?? 0;
            // one that started meanwhile stays (RemoveAsync refuses a running container without force)
            try { await containers.RemoveAsync(record, force: false, CancellationToken.None); }
            catch (CartonException e) when (e.Kind == ErrorKind.InvalidState) { continue; }
            deleted.Add(record.Id);
            reclaimed += size;
        }
        services.Events.Publish("container", "prune", "", Reclaimed(reclaimed));
        await DockerJson.WriteAsync(ctx, new ContainerPruneResponse { ContainersDeleted = deleted.Count > 0 ? deleted : null, SpaceReclaimed = reclaimed },
            DockerJsonContext.Wire.ContainerPruneResponse);
    }

    /// <summary>POST /networks/prune: user networks without endpoints (the default and host/none never go).</summary>
    public static async Task Networks(DockerServices services, HttpContext ctx)
    {
        var filters = PruneFilters.Parse(ctx);
        var deleted = new List<string>();
        if (services.Networks is { } service)
        {
            foreach (var n in await service.ListNetworksAsync(ctx.RequestAborted))
            {
                if (n.Name == NetworkDefaults.DefaultNetworkName) continue;
                if (!filters.Selects(n.Created.UtcDateTime, n.Labels)) continue;
                if ((await service.ListEndpointsAsync(n.Name, ctx.RequestAborted)).Count > 0) continue;
                try { await service.DeleteNetworkAsync(n.Id, CancellationToken.None); }
                catch (CartonException e) when (e.Kind is ErrorKind.InvalidState or ErrorKind.NotFound) { continue; }
                deleted.Add(n.Name);
                services.Events.Network(n.Id, n.Name, "destroy");
            }
        }
        services.Events.Publish("network", "prune", "", Reclaimed(0));
        await DockerJson.WriteAsync(ctx, new NetworkPruneResponse { NetworksDeleted = deleted.Count > 0 ? deleted : null }, DockerJsonContext.Wire.NetworkPruneResponse);
    }

    /// <summary>
    /// POST /images/prune: with dangling=true (the default) the images without a tag, with dangling=false every image;
    /// either way one a container was made from stays. Their names go (Untagged), then the image (Deleted), then the
    /// blobs and unpacked layers nothing holds any more (SpaceReclaimed: <see cref="IContainerStorage.SweepImagesAsync"/>).
    /// </summary>
    public static async Task Images(DockerServices services, HttpContext ctx)
    {
        var filters = PruneFilters.Parse(ctx, "dangling");
        bool danglingOnly = true;
        if (filters.Raw.Has("dangling"))
        {
            var v = filters.Raw.Get("dangling")[0];
            danglingOnly = v switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw DockerErrors.BadRequest($"invalid filter 'dangling={v}'", "filters"),
            };
        }
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var s in services.Compute.EnumerateComputeSystemsAsync(null, ctx.RequestAborted))
        {
            if (s.ImageId is { } id) usedIds.Add(id);
            else if (s.Image is { } name) usedNames.Add(name);
        }
        foreach (var r in services.Containers.Store.All) usedIds.Add(r.ImageId);
        var answer = new List<ImageDeleteResponseItem>();
        foreach (var image in ImageCatalog.Load(services.Images))
        {
            if (usedIds.Contains(image.Id) || image.Records.Any(r => usedNames.Contains(r.Name))) continue;
            if (danglingOnly && image.RepoTags.Count > 0) continue;
            if (!filters.Selects(image.Created?.UtcDateTime ?? DateTime.UnixEpoch, image.Labels)) continue;
            foreach (var r in image.Records)
            {
                if (!await services.Images.RemoveAsync(r.Name, CancellationToken.None)) continue;
                var familiar = ImageCatalog.Familiar(r.Name);
                answer.Add(new ImageDeleteResponseItem { Untagged = familiar });
                services.Events.Image(image.Id, "untag", familiar);
            }
            answer.Add(new ImageDeleteResponseItem { Deleted = image.Id });
            services.Events.Image(image.Id, "delete", image.Id);
        }
        long reclaimed = services.Storage is { } storage ? await storage.SweepImagesAsync(CancellationToken.None) : 0;
        services.Events.Publish("image", "prune", "", Reclaimed(reclaimed));
        await DockerJson.WriteAsync(ctx, new ImagePruneResponse { ImagesDeleted = answer.Count > 0 ? answer : null, SpaceReclaimed = reclaimed },
            DockerJsonContext.Wire.ImagePruneResponse);
    }

    private static Dictionary<string, string> Reclaimed(long bytes) =>
        new() { ["reclaimed"] = bytes.ToString(CultureInfo.InvariantCulture) };

    /// <summary>
    /// POST /build/prune, which `docker system prune` calls (both CLIs, for API 1.31 and later): Carton has no builder
    /// and so no build cache, and answers that nothing was deleted. The filters are checked as dockerd's builder
    /// checks their names (400 for another).
    /// </summary>
    public static Task BuildCache(DockerServices services, HttpContext ctx)
    {
        _ = DockerFilters.Parse(ctx, "until", "id", "parent", "type", "description", "inuse", "shared", "private", "mutable", "immutable");
        return DockerJson.WriteAsync(ctx, new BuildCachePruneResponse(), DockerJsonContext.Wire.BuildCachePruneResponse);
    }
}
