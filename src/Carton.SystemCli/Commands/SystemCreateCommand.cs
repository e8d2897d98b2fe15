namespace Carton.SystemCli;

public static class SystemCreateCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var oci = new Option<string?>("--oci") { Description = "an OCI bundle directory (config.json and its rootfs)" };
        var hcs = new Option<string?>("--hcs") { Description = "an HCS-shaped container document (JSON file)" };
        var cmd = new Command("create", "create a compute system from an OCI bundle or an HCS document (created, not started)") { id, oci, hcs };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            string? bundle = parse.GetValue(oci), hcsFile = parse.GetValue(hcs);
            if ((bundle is null) == (hcsFile is null)) throw new IOException("exactly one of --oci BUNDLE_DIR or --hcs DOCUMENT is required");
            var document = new ComputeSystemDocument();
            if (bundle is not null)
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
