using System.Security.Cryptography;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Snapshots;

/// <summary>
/// The snapshot half of <c>carton image check</c>. What a committed layer records is checked against its name: the
/// directory is named by its chain ID, <c>diffid</c> holds the layer's DiffID and <c>parent</c> the chain ID below,
/// so ChainID = DiffID for a base layer and sha256(parent + " " + DiffID) otherwise (image-spec config.md#layer-chainid)
/// is recomputed, and the parent must be committed. The unpacked files under <c>fs/</c> are not hashed again: the
/// DiffID was verified while the layer was unpacked (<see cref="Unpack.UnpackOptions.ExpectedDiffId"/>), and the tar
/// it came from cannot be rebuilt byte for byte from an overlay-form directory. A container's snapshot needs its
/// <c>parent</c> record (empty or a committed chain ID), <c>upper/</c> and <c>work/</c>.
/// </summary>
public sealed partial class Snapshotter
{
    /// <summary>Every problem of the store (empty when sound).</summary>
    public IReadOnlyList<SnapshotProblem> Check()
    {
        var problems = new List<SnapshotProblem>();
        foreach (var name in FileTree.ReadNamesOf(Root))
        {
            if (name is Active or Locks or Tmp or LockFile) continue;
            var dir = Path.Combine(Root, name);
            var chainId = ChainIdOf(name);
            if (chainId is null)
            {
                problems.Add(new SnapshotProblem(name, false, dir, "not a layer: its name is not a chain ID (sha256-<hex>)"));
                continue;
            }
            if (FileStatus.OfPath(Path.Combine(dir, "fs"), followSymlinks: false) is not { IsDirectory: true })
            {
                problems.Add(new SnapshotProblem(name, false, Path.Combine(dir, "fs"), $"layer {chainId} is incomplete: no fs/ directory"));
                continue;
            }
            var diffId = ReadRecord(Path.Combine(dir, "diffid"));
            if (!LayerDigests.IsValid(diffId))
            {
                problems.Add(new SnapshotProblem(name, false, Path.Combine(dir, "diffid"), $"layer {chainId}: the diffid record is not a digest",
                    "a DiffID (sha256:<64 hex>)", Quote(diffId)));
                continue;
            }
            var parentText = ReadRecord(Path.Combine(dir, "parent"));
            string? parent = parentText is null || parentText.Length == 0 ? null : parentText;
            if (parent is not null && !LayerDigests.IsValid(parent))
            {
                problems.Add(new SnapshotProblem(name, false, Path.Combine(dir, "parent"), $"layer {chainId}: the parent record is not a chain ID",
                    "a chain ID (sha256:<64 hex>)", Quote(parent)));
                continue;
            }
            var computed = LayerDigests.ChainId(parent, diffId!);
            if (computed != chainId)
            {
                problems.Add(new SnapshotProblem(name, false, dir, $"layer {chainId}: its diffid and parent records give another chain ID", chainId, computed));
                continue;
            }
            if (parent is not null && !IsCommitted(parent))
                problems.Add(new SnapshotProblem(name, false, Path.Combine(dir, "parent"), $"layer {chainId}: its parent layer is not in the store", parent, null));
        }
        foreach (var key in FileTree.ReadNamesOf(Path.Combine(Root, Active)))
        {
            var entry = Path.Combine(Active, key);
            var dir = Path.Combine(Root, entry);
            var parentText = ReadRecord(Path.Combine(dir, "parent"));
            if (parentText is null)
            {
                problems.Add(new SnapshotProblem(entry, true, Path.Combine(dir, "parent"), $"snapshot {key} is incomplete: no parent record"));
                continue;
            }
            if (parentText.Length > 0 && (!LayerDigests.IsValid(parentText) || !IsCommitted(parentText)))
            {
                problems.Add(new SnapshotProblem(entry, true, Path.Combine(dir, "parent"), $"snapshot {key}: its parent layer is not in the store",
                    "a committed chain ID", Quote(parentText)));
                continue;
            }
            foreach (var sub in new[] { "upper", "work" })
                if (FileStatus.OfPath(Path.Combine(dir, sub), followSymlinks: false) is not { IsDirectory: true })
                    problems.Add(new SnapshotProblem(entry, true, Path.Combine(dir, sub), $"snapshot {key} is incomplete: no {sub}/ directory"));
        }
        return problems;
    }

    /// <summary>
    /// Removes an entry <see cref="Check"/> reported (a layer directory, a stray name, or ".active/KEY"), whatever
    /// refers to it: what stood on it is reported by the next check, which <c>--repair</c> runs until the store is
    /// clean. False when it was already gone.
    /// </summary>
    public bool Discard(string entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry);
        var parts = entry.Split('/');
        bool valid = parts.Length == 1 ? parts[0] is not ("." or ".." or Active or Locks or Tmp or LockFile)
            : parts.Length == 2 && parts[0] == Active && KeyPattern().IsMatch(parts[1]);
        if (!valid) throw new CartonException(ErrorKind.InvalidDocument, $"snapshot store {Root}: \"{entry}\" is not an entry that can be discarded");
        var removing = RemovingPrefix + parts[^1] + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using (StoreLock.Take(Path.Combine(Root, LockFile), "snapshots"))
        {
            if (!RenameAway(entry, removing)) return false;
            if (parts.Length == 1) File.Delete(Path.Combine(Root, Locks, parts[0]));
        }
        RemoveTree(Path.Combine(Root, Tmp), removing);
        return true;
    }

    private static string? ReadRecord(string file)
    {
        try { return File.ReadAllText(file).Trim(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException) { return null; }
    }

    private static string Quote(string? text) => text is null ? "nothing" : text.Length == 0 ? "an empty file" : $"\"{(text.Length > 80 ? text[..80] + "..." : text)}\"";
}
