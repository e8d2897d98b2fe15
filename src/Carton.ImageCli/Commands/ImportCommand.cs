using Carton.Images.Formats;

namespace Carton.ImageCli;

/// <summary>`carton image import PATH`: an OCI image layout (directory or tar) or a docker-archive into the store.</summary>
public static class ImportCommand
{
    public static Command Build()
    {
        var path = new Argument<string>("path") { Description = "an OCI layout directory, its tar, or a `docker save` archive (- for stdin)" };
        var name = new Option<string?>("--name") { Description = "the name to give the image (for a layout whose index names none)" };
        var cmd = new Command("import", "import an image from an OCI layout or a docker-archive") { path, name };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            var options = new ImportOptions { Name = parse.GetValue(name) };
            var source = parse.GetValue(path)!;
            IReadOnlyList<ImportedImage> imported;
            if (source == "-")
            {
                await using var stdin = Console.OpenStandardInput();
                imported = await store.ImportAsync(stdin, options, ct);
            }
            else imported = await store.ImportAsync(source, options, ct);
            foreach (var i in imported)
                Console.Out.WriteLine($"{(i.Names.Count > 0 ? string.Join(", ", i.Names) : "(unnamed)")}: {i.Target.Digest}");
            return 0;
        }));
        return cmd;
    }
}
