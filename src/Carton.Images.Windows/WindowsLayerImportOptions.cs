namespace Carton.Images.Windows;

/// <summary>How one Windows layer is imported.</summary>
public sealed record WindowsLayerImportOptions
{
    /// <summary>The DiffID ("sha256:…") the uncompressed tar must hash to; null: computed and returned, not checked.</summary>
    public string? ExpectedDiffId { get; init; }

    /// <summary>What errors call the layer; defaults to <see cref="ExpectedDiffId"/>, else "(unnamed layer)".</summary>
    public string? LayerName { get; init; }

    /// <summary>Tests only: defences (<see cref="ImportChecks"/> names) switched off, to show their attack test fails.</summary>
    internal IReadOnlySet<string> DisabledChecks { get; init; } = new HashSet<string>();

    internal string Name => LayerName ?? ExpectedDiffId ?? "(unnamed layer)";

    internal bool On(string check) => !DisabledChecks.Contains(check);
}
