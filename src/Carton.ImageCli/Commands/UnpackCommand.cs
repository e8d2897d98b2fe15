using Carton.Images.Linux;
using Carton.Images.Linux.Unpack;
using Carton.Images.Spec;
using Carton.Linux.Processes;

namespace Carton.ImageCli;

/// <summary>
/// `carton image unpack REF DIR`: a bundle that `carton run --bundle DIR` runs, as `umoci unpack` writes one: the
/// layers flattened into DIR/rootfs (whiteouts applied), and DIR/config.json built from the image's config
/// (<see cref="ImageSpec"/>). DIR must not exist or be empty; a failure leaves nothing of what it made.
/// </summary>
public static class UnpackCommand
{
    public static Command Build()
    {
        var reference = ImageCommand.ReferenceArgument();
        var dir = new Argument<string>("dir") { Description = "the bundle directory to write" };
        var platform = new Option<string?>("--platform") { Description = "os/architecture[/variant] of a multi-platform image (default: this host's)" };
        var rootless = new Option<bool>("--rootless") { Description = "a rootless bundle (a user namespace mapping root to you)" };
        var terminal = new Option<bool>("--terminal", "-t") { Description = "process.terminal = true in config.json" };
        var cmd = new Command("unpack", "write a runtime bundle (rootfs and config.json) from an image") { reference, dir, platform, rootless, terminal };
        cmd.SetAction(parse => ImageCommand.Run(parse, (store, _) =>
        {
            var image = store.Inspect(parse.GetValue(reference)!, parse.GetValue(platform) is { } p ? PullCommand.ParsePlatform(p) : null);
            var bundle = Path.GetFullPath(parse.GetValue(dir)!);
            bool created = !Directory.Exists(bundle);
            if (!created && Directory.EnumerateFileSystemEntries(bundle).Any())
                throw new CartonException(ErrorKind.AlreadyExists, $"{bundle}: the bundle directory is not empty");
            Directory.CreateDirectory(bundle);
            var rootfs = Path.Combine(bundle, "rootfs");
            try
            {
                if (image.Layers.Count != image.DiffIds.Count)
                    throw new CartonException(ErrorKind.InvalidDocument,
                        $"{image.Name}: the manifest has {image.Layers.Count} layers but the config's rootfs.diff_ids has {image.DiffIds.Count}",
                        jsonPath: "rootfs.diff_ids");
                var layers = image.Layers.Select((l, i) => new LayerSource(image.DiffIds[i], () => store.OpenLayer(l))).ToList();
                bool isRootless = parse.GetValue(rootless);
                RootfsFlattener.Flatten(layers, rootfs, new UnpackOptions { Rootless = isRootless });
                using var files = new RootfsFiles(rootfs);
                var (spec, warnings) = ImageSpec.Build(image.Config, new ImageSpecOptions
                {
                    Terminal = parse.GetValue(terminal),
                    Rootless = isRootless,
                    HostUid = isRootless ? CurrentProcess.EffectiveUserId : null,
                    HostGid = isRootless ? CurrentProcess.EffectiveGroupId : null,
                    ReadRootfsFile = files.Read,
                    AllowNoCommand = true,
                });
                foreach (var w in warnings) Console.Error.WriteLine($"carton image unpack: warning: {w}");
                File.WriteAllBytes(Path.Combine(bundle, "config.json"),
                    JsonSerializer.SerializeToUtf8Bytes(spec, Carton.Oci.OciJsonContext.Default.Spec /* indented, as carton spec writes it */));
                Console.Out.WriteLine($"{image.Name} ({image.ManifestDigest}): {bundle}");
                return Task.FromResult(0);
            }
            catch
            {
                if (created) Directory.Delete(bundle, recursive: true);
                else
                {
                    if (Directory.Exists(rootfs)) Directory.Delete(rootfs, recursive: true);
                    File.Delete(Path.Combine(bundle, "config.json"));
                }
                throw;
            }
        }));
        return cmd;
    }
}
