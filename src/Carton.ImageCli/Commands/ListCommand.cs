namespace Carton.ImageCli;

/// <summary>`carton image ls`: the named images of the store.</summary>
public static class ListCommand
{
    public static Command Build()
    {
        var format = ImageCommand.FormatOption();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "names only" };
        var cmd = new Command("ls", "list the images in the store") { format, quiet };
        cmd.Aliases.Add("list");
        cmd.SetAction(parse => ImageCommand.Run(parse, (store, _) =>
        {
            var items = store.List().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
            return Task.FromResult(ListOutput.Write(items, parse.GetValue(quiet), parse.GetValue(format),
                r => r.Name,
                () => JsonSerializer.Serialize(items.Select(r => new ImageListEntry
                {
                    Name = r.Name, Digest = r.Target.Digest, MediaType = r.Target.MediaType, Size = r.Target.Size,
                }).ToList(), ImageCliJsonContext.Default.ListImageListEntry),
                ["NAME", "DIGEST", "SIZE"],
                r => [r.Name, r.Target.Digest, TransferProgressView.Size(TotalSize(store, r))]));
        }));
        return cmd;
    }

    /// <summary>The image's size in the store: its manifest's layers and config (0 for what cannot be read).</summary>
    private static long TotalSize(ImageStore store, ImageRecord r)
    {
        try
        {
            // Resolve the record in hand: Inspect looks the name up again, re-reading index.json for every image,
            // which made `ls` quadratic (2.1 s with 500 images, bench/image-ls.sh)
            var (_, manifest) = store.ResolveManifest(r.Name, r.Target);
            return manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
        }
        catch (CartonException)
        {
            return 0;
        }
    }
}
