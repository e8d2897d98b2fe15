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
            // only the table shows sizes: -q and json never read the cache or a manifest
            var sizes = new Lazy<IReadOnlyDictionary<string, long>>(() => ImageSizeCache.SizesOf(store, items));
            return Task.FromResult(ListOutput.Write(items, parse.GetValue(quiet), parse.GetValue(format),
                r => r.Name,
                () => JsonSerializer.Serialize(items.Select(r => new ImageListEntry
                {
                    Name = r.Name, Digest = r.Target.Digest, MediaType = r.Target.MediaType, Size = r.Target.Size,
                }).ToList(), ImageCliJsonContext.Default.ListImageListEntry),
                ["NAME", "DIGEST", "SIZE"],
                r => [r.Name, r.Target.Digest, TransferProgressView.Size(sizes.Value.GetValueOrDefault(r.Target.Digest))]));
        }));
        return cmd;
    }
}
