using Carton.Images.Formats;

namespace Carton.ImageCli;

/// <summary>
/// `carton image export REF... FILE [--format oci|docker]`: images of the store as an OCI layout tar or a
/// docker-archive (FILE `-` is standard output). The file is written beside its final name and renamed when whole,
/// so a failure leaves no half archive.
/// </summary>
public static class ExportCommand
{
    public static Command Build()
    {
        var arguments = new Argument<string[]>("reference-and-file")
        {
            Description = "the images to export, then the file to write (- for standard output)",
            Arity = new ArgumentArity(2, ArgumentArity.ZeroOrMore.MaximumNumberOfValues),
        };
        var format = new Option<string>("--format") { Description = "oci (an OCI image layout tar) or docker (a docker-archive, also an OCI layout)", DefaultValueFactory = _ => "oci" };
        var platform = new Option<string?>("--platform") { Description = "for an image pulled for one platform: which (default this host's)" };
        var cmd = new Command("export", "write images to an OCI layout tar or a docker-archive") { arguments, format, platform };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            var values = parse.GetValue(arguments)!;
            var file = values[^1];
            var references = values[..^1];
            var kind = parse.GetValue(format) switch
            {
                "oci" => ExportFormat.Oci,
                "docker" or "docker-archive" => ExportFormat.Docker,
                var other => throw new CartonException(ErrorKind.InvalidDocument, $"--format: \"{other}\" is not oci or docker", jsonPath: "--format"),
            };
            var wanted = parse.GetValue(platform) is { } p ? PullCommand.ParsePlatform(p) : null;
            if (file == "-")
            {
                if (!Console.IsOutputRedirected)
                    throw new CartonException(ErrorKind.InvalidDocument, "export: standard output is a terminal; give a FILE or redirect it", jsonPath: "file");
                await using var stdout = Console.OpenStandardOutput();
                await ImageExporter.ExportAsync(store, references, stdout, kind, wanted, ct);
                return 0;
            }
            var full = Path.GetFullPath(file);
            if (Directory.Exists(full))
                throw new CartonException(ErrorKind.InvalidDocument, $"export: {full} is a directory; give the archive's file name", jsonPath: "file");
            var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
            try
            {
                await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                {
                    await ImageExporter.ExportAsync(store, references, output, kind, wanted, ct);
                    await output.FlushAsync(ct);
                    output.Flush(flushToDisk: true);
                }
                File.Move(temp, full, overwrite: true);
            }
            catch (DirectoryNotFoundException e)
            {
                throw new CartonException(ErrorKind.NotFound, $"export: {Path.GetDirectoryName(full)}: no such directory", e);
            }
            finally
            {
                try { File.Delete(temp); } catch (IOException) { }
            }
            Console.Error.WriteLine($"{string.Join(", ", references)} → {full} ({kind.ToString().ToLowerInvariant()}, {new FileInfo(full).Length} bytes)");
            return 0;
        }));
        return cmd;
    }
}
