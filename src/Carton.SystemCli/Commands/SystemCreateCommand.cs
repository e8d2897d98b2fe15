namespace Carton.SystemCli;

public static class SystemCreateCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var oci = new Option<string?>("--oci") { Description = "an OCI bundle directory (config.json and its rootfs)" };
        var hcs = new Option<string?>("--hcs") { Description = "an HCS-shaped container document (JSON file)" };
        var image = new Option<string?>("--image") { Description = "an image reference: the system runs the image (pulled if the daemon's store lacks it)" };
        var command = new Argument<string[]>("command") { Description = "with --image: the command to run instead of the image's (after --)", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("create", "create a compute system from an OCI bundle, an HCS document or an image (created, not started)") { id, oci, hcs, image, command };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            string? bundle = parse.GetValue(oci), hcsFile = parse.GetValue(hcs), imageRef = parse.GetValue(image);
            var args = parse.GetValue(command) ?? [];
            if (new[] { bundle, hcsFile, imageRef }.Count(x => x is not null) != 1)
                throw new IOException("exactly one of --oci BUNDLE_DIR, --hcs DOCUMENT or --image REF is required");
            if (args.Length > 0 && imageRef is null) throw new IOException("a command (after --) goes with --image only");
            var document = new ComputeSystemDocument();
            if (imageRef is not null)
            {
                // The HCS form: the image's root and config; a command given replaces the image's whole command.
                document.Hcs = new HcsSystemDocument
                {
                    Container = new HcsContainer
                    {
                        Image = imageRef,
                        InitProcess = args.Length > 0 ? new ProcessParameters { CommandArgs = [.. args] } : null,
                    },
                };
            }
            else if (bundle is not null)
            {
                bundle = Path.GetFullPath(bundle);
                var config = Path.Combine(bundle, "config.json");
                var spec = JsonSerializer.Deserialize(File.ReadAllBytes(config), OciJsonContext.Default.Spec)
                           ?? throw new IOException($"{config}: empty document");
                document.Oci = new OciSystemDocument { Spec = spec, Bundle = bundle };
            }
            else
            {
                document.Hcs = JsonSerializer.Deserialize(File.ReadAllBytes(hcsFile!), ComputeJsonContext.Default.HcsSystemDocument)
                               ?? throw new IOException($"{hcsFile}: empty document");
            }
            await using var system = await client.CreateComputeSystemAsync(parse.GetValue(id)!, document);
            return 0;
        }));
        return cmd;
    }
}
