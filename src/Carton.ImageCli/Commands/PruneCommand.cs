using Carton.Images.Linux.Maintenance;

namespace Carton.ImageCli;

/// <summary>
/// `carton image prune [--all]`: removes the blobs and unpacked layers no name reaches (and, with --all, the images no
/// container uses), under the store's exclusive lease (<see cref="ImagePruner"/>), and says what went and how many
/// bytes that gave back.
/// </summary>
public static class PruneCommand
{
    public static Command Build()
    {
        var all = new Option<bool>("--all", "-a") { Description = "also remove the images no container uses (not only what no name reaches)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print the reclaimed bytes only" };
        var format = ImageCommand.FormatOption();
        var cmd = new Command("prune", "remove what nothing references: unnamed blobs and unpacked layers (--all: unused images too)") { all, quiet, format };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            var f = parse.GetValue(format);
            if (f is not ("table" or "json"))
                throw new CartonException(ErrorKind.InvalidDocument, $"--format \"{f}\": expected table or json", jsonPath: "--format");
            var result = await ImagePruner.PruneAsync(store, parse.GetValue(all), ct);
            if (f == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new PruneReport
                {
                    RemovedNames = [.. result.RemovedNames],
                    RemovedBlobs = [.. result.RemovedBlobs.Select(b => new PruneReportItem { Id = b.Digest.ToString(), Size = b.Size })],
                    RemovedLayers = [.. result.RemovedLayers.Select(l => new PruneReportItem { Id = l.ChainId, Size = l.Size })],
                    ReclaimedBytes = result.ReclaimedBytes,
                }, ImageCliJsonContext.Indented.PruneReport));
            }
            else if (parse.GetValue(quiet)) Console.Out.WriteLine(result.ReclaimedBytes.ToString(CultureInfo.InvariantCulture));
            else
            {
                foreach (var n in result.RemovedNames) Console.Out.WriteLine($"untagged: {n}");
                foreach (var b in result.RemovedBlobs) Console.Out.WriteLine($"deleted blob: {b.Digest} ({TransferProgressView.Size(b.Size)})");
                foreach (var l in result.RemovedLayers) Console.Out.WriteLine($"deleted layer: {l.ChainId} ({TransferProgressView.Size(l.Size)})");
                Console.Out.WriteLine($"Total reclaimed space: {TransferProgressView.Size(result.ReclaimedBytes)} ({result.ReclaimedBytes} bytes)");
            }
            return 0;
        }));
        return cmd;
    }
}
