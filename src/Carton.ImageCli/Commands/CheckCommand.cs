using Carton.Images.Linux.Maintenance;

namespace Carton.ImageCli;

/// <summary>
/// `carton image check [--repair]`: every blob's digest and size, every name's graph, every unpacked layer's records
/// against its chain ID and every container snapshot (<see cref="StoreChecker"/>). One line per problem (path,
/// subject, why, expected and found); exit 0 only for a clean store. --repair removes what cannot be trusted, says
/// what it removed, and exits 0 when the store is then clean.
/// </summary>
public static class CheckCommand
{
    public static Command Build()
    {
        var repair = new Option<bool>("--repair") { Description = "remove corrupt blobs, broken names, layers and snapshots until the store is clean" };
        var cmd = new Command("check", "verify the store: blob digests and sizes, names' graphs, snapshots against their chain IDs") { repair };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            int failed = ErrorTable.Of(ErrorKind.InvalidState).ExitCode;
            if (!parse.GetValue(repair))
            {
                var problems = StoreChecker.Check(store, ct);
                foreach (var p in problems) Console.Out.WriteLine(p.ToString());
                Console.Error.WriteLine(problems.Count == 0 ? $"{store.Root}: clean" : $"{store.Root}: {problems.Count} problem(s)");
                return problems.Count == 0 ? 0 : failed;
            }
            var result = await StoreChecker.RepairAsync(store, ct);
            foreach (var p in result.Found) Console.Out.WriteLine(p.ToString());
            foreach (var a in result.Actions) Console.Out.WriteLine($"repair: {a}");
            foreach (var p in result.Remaining) Console.Out.WriteLine($"still wrong: {p}");
            Console.Error.WriteLine(result.Remaining.Count == 0
                ? $"{store.Root}: clean ({result.Found.Count} problem(s) repaired)"
                : $"{store.Root}: {result.Remaining.Count} problem(s) left after the repair");
            return result.Remaining.Count == 0 ? 0 : failed;
        }));
        return cmd;
    }
}
