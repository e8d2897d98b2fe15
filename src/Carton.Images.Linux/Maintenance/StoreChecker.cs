using Carton.Images.Content;

namespace Carton.Images.Linux.Maintenance;

/// <summary>
/// <c>carton image check [--repair]</c>: the content store (<see cref="ContentCheck"/>: every blob's digest and
/// size, every name's graph) and the snapshot store (<see cref="Snapshots.Snapshotter.Check"/>: every layer's
/// records against its chain ID, every container's snapshot) under the exclusive <see cref="StoreLease"/>. A repair
/// removes what cannot be trusted and checks again, until the store is clean: removing a layer can break the layers
/// and snapshots on it, and removing a corrupt blob breaks the names that reach it.
/// </summary>
public static class StoreChecker
{
    /// <summary>Every problem of the store (empty when it is sound).</summary>
    public static List<StoreProblem> Check(ImageStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        StoreSnapshots.RequireStore(store);
        using var lease = StoreLease.Exclusive(store.Root, cancellationToken);
        return CheckCore(store, cancellationToken);
    }

    /// <summary>Checks, removes what cannot be trusted, and checks again until clean (at most 64 rounds).</summary>
    public static async Task<RepairResult> RepairAsync(ImageStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        StoreSnapshots.RequireStore(store);
        using var lease = StoreLease.Exclusive(store.Root, cancellationToken);
        var found = new List<StoreProblem>();
        var actions = new List<string>();
        var problems = CheckCore(store, cancellationToken);
        for (int round = 0; problems.Count > 0 && round < 64; round++)
        {
            found.AddRange(problems);
            actions.AddRange(await ContentCheck.RepairAsync(store, problems, cancellationToken).ConfigureAwait(false));
            var snapshots = StoreSnapshots.Open(store.Root);
            foreach (var p in problems.Where(p => p.Kind is StoreProblemKind.BrokenLayer or StoreProblemKind.BrokenSnapshot))
                if (snapshots?.Discard(p.Subject) == true) actions.Add($"removed {(p.Kind == StoreProblemKind.BrokenLayer ? "layer" : "snapshot")} {p.Subject}");
            problems = CheckCore(store, cancellationToken);
        }
        return new RepairResult(found, actions, problems);
    }

    private static List<StoreProblem> CheckCore(ImageStore store, CancellationToken cancellationToken)
    {
        var problems = ContentCheck.Run(store, cancellationToken);
        if (StoreSnapshots.Open(store.Root) is { } snapshots)
            foreach (var p in snapshots.Check())
                problems.Add(new StoreProblem(p.IsActive ? StoreProblemKind.BrokenSnapshot : StoreProblemKind.BrokenLayer, p.Path, p.Entry, p.Why, p.Expected, p.Found));
        return problems;
    }
}

/// <summary>What a repair found, what it did, and what is still wrong (empty when the store is now clean).</summary>
public sealed record RepairResult(IReadOnlyList<StoreProblem> Found, IReadOnlyList<string> Actions, IReadOnlyList<StoreProblem> Remaining);
