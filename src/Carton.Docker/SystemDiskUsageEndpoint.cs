using Carton.Compute;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// GET /system/df: the images (Size, SharedSize: the bytes of layers another image has too, Containers: how many
/// containers use it), the containers with their writable layer's bytes (SizeRw) and SizeRootFs, and LayersSize:
/// the distinct layers' bytes as stored (compressed, as image ls counts them); the volumes with their size and
/// reference count. BuildCache is empty.
/// </summary>
internal static class SystemDiskUsageEndpoint
{
    public static async Task Handle(DockerServices services, HttpContext ctx)
    {
        var images = ImageCatalog.Load(services.Images);
        var summaries = new Dictionary<string, ComputeSystemSummary>(StringComparer.Ordinal);
        await foreach (var s in services.Compute.EnumerateComputeSystemsAsync(null, ctx.RequestAborted)) summaries[s.Id] = s;
        var records = services.Containers.Store.All.Where(r => summaries.ContainsKey(r.Id)).OrderByDescending(r => r.Created).ToList();

        // each layer once, and how many images hold it
        var layerSize = new Dictionary<string, long>(StringComparer.Ordinal);
        var holders = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var image in images)
            foreach (var layer in image.Image.Layers.DistinctBy(l => l.Digest))
            {
                layerSize[layer.Digest] = layer.Size;
                holders[layer.Digest] = holders.GetValueOrDefault(layer.Digest) + 1;
            }

        var usage = new SystemDiskUsage { LayersSize = layerSize.Values.Sum() };
        foreach (var image in images.OrderByDescending(i => i.Created ?? DateTimeOffset.MinValue))
        {
            usage.Images.Add(new ImageSummary
            {
                Id = image.Id, RepoTags = image.RepoTags, RepoDigests = image.RepoDigests, Created = image.Created?.ToUnixTimeSeconds() ?? 0,
                Size = image.Size, Labels = image.Labels,
                SharedSize = image.Image.Layers.DistinctBy(l => l.Digest).Where(l => holders[l.Digest] > 1).Sum(l => l.Size),
                Containers = records.Count(r => r.ImageId == image.Id),
            });
        }
        var network = await ContainerViews.NetworkViewAsync(services, ctx.RequestAborted);
        foreach (var record in records)
        {
            var summary = ContainerViews.Summary(record, summaries[record.Id], network, images);
            long rw = services.Storage?.WritableSize(record.Id) ?? 0;
            summary.SizeRw = rw;
            summary.SizeRootFs = rw + (images.FirstOrDefault(i => i.Id == record.ImageId)?.Size ?? 0);
            usage.Containers.Add(summary);
        }
        // each volume with its UsageData (size, containers referencing it), as dockerd's df gives them
        if (services.VolumesRoot is not null) usage.Volumes.AddRange(services.Volumes.Usage().Select(u => u.Volume));
        await DockerJson.WriteAsync(ctx, usage, DockerJsonContext.Wire.SystemDiskUsage);
    }
}
