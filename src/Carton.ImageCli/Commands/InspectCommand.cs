namespace Carton.ImageCli;

/// <summary>`carton image inspect REF`: the image's manifest, config and layers as JSON.</summary>
public static class InspectCommand
{
    public static Command Build()
    {
        var reference = ImageCommand.ReferenceArgument();
        var platform = new Option<string?>("--platform") { Description = "os/architecture[/variant] of a multi-platform image (default: this host's)" };
        var cmd = new Command("inspect", "show an image of the store as JSON") { reference, platform };
        cmd.SetAction(parse => ImageCommand.Run(parse, (store, _) =>
        {
            var image = store.Inspect(parse.GetValue(reference)!, parse.GetValue(platform) is { } p ? PullCommand.ParsePlatform(p) : null);
            var view = new ImageInspectView
            {
                Name = image.Name,
                Digest = image.Target.Digest,
                ManifestDigest = image.ManifestDescriptor.Digest,
                Manifest = image.Manifest,
                Config = image.Config,
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(view, ImageCliJsonContext.Indented.ImageInspectView));
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
