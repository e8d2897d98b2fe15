namespace Carton.Images.Linux.Snapshots;

/// <summary>What <see cref="Snapshotter.Check"/> found wrong with an entry of the snapshot store.</summary>
/// <param name="Entry">The entry, relative to the store's root: "sha256-&lt;hex&gt;" (a layer), ".active/&lt;key&gt;"
/// (a container's snapshot), or another name that does not belong there.</param>
/// <param name="IsActive">True for a container's snapshot.</param>
/// <param name="Path">The file or directory that is wrong.</param>
/// <param name="Why">What is wrong.</param>
/// <param name="Expected">What should be there, when that is known.</param>
/// <param name="Found">What is there.</param>
public sealed record SnapshotProblem(string Entry, bool IsActive, string Path, string Why, string? Expected = null, string? Found = null);
