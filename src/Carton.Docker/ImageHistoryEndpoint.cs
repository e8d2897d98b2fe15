using System.Globalization;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// GET /images/{name}/history (`docker history`), as dockerd's ImageHistory: the config's history, newest first;
/// each entry that made a layer (not empty_layer) gets that layer's size, in order; the top entry carries the image
/// id and its tags, the others "&lt;missing&gt;" (Carton, as dockerd with pulled images, has no parent images).
/// Sizes are the layers as stored (compressed), as Carton's image sizes are everywhere; dockerd shows unpacked sizes.
/// </summary>
internal static class ImageHistoryEndpoint
{
    public static Task Handle(DockerServices services, HttpContext ctx, string name)
    {
        var image = ImageCatalog.Find(ImageCatalog.Load(services.Images), name).Image;
        var layers = image.Image.Layers;
        var items = new List<ImageHistoryItem>();
        int layer = 0;
        foreach (var h in image.Image.Config.History ?? [])
        {
            long size = 0;
            if (h.EmptyLayer != true)
            {
                if (layer >= layers.Count)
                    throw new CartonException(ErrorKind.Internal, "too many non-empty layers in History section");
                size = layers[layer++].Size;
            }
            items.Add(new ImageHistoryItem
            {
                Id = "<missing>",
                Created = DateTimeOffset.TryParse(h.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUnixTimeSeconds() : 0,
                CreatedBy = h.CreatedBy ?? "",
                Comment = h.Comment ?? "",
                Size = size,
            });
        }
        items.Reverse();
        if (items.Count > 0)
        {
            items[0].Id = image.Id;
            var tags = image.RepoTags;
            items[0].Tags = tags.Count > 0 ? tags : null;
        }
        return DockerJson.WriteAsync(ctx, items, DockerJsonContext.Wire.ListImageHistoryItem);
    }
}
