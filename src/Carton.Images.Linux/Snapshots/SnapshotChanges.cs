using Carton.Linux.IO;

namespace Carton.Images.Linux.Snapshots;

/// <summary>
/// What a container changed: its active snapshot's upper directory read against the layers below, as dockerd's
/// overlay driver does (moby pkg/archive changes_linux.go): a whiteout (a character device 0/0) is a deletion; an
/// entry that also exists in a lower layer is a modification (a directory copied up because something in it
/// changed shows so); anything else is an addition, and so is everything under it. An opaque directory
/// (trusted.overlay.opaque or user.overlay.opaque = "y") hides the lower one: what is in it is added.
/// </summary>
public static class SnapshotChanges
{
    /// <summary>The kind of a change, as Docker numbers them.</summary>
    public enum Kind { Modified = 0, Added = 1, Deleted = 2 }

    /// <summary>The changes, sorted by path ("/etc", "/etc/hosts").</summary>
    public static List<(string Path, Kind Kind)> Of(ActiveSnapshot snapshot)
    {
        var changes = new List<(string, Kind)>();
        Walk(snapshot.UpperDir, "", snapshot.LowerDirs, hiddenBelow: false, changes);
        changes.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return changes;
    }

    /// <summary>The bytes of the regular files in the upper directory.</summary>
    public static long UpperSize(ActiveSnapshot snapshot)
    {
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        try
        {
            foreach (var f in new DirectoryInfo(snapshot.UpperDir).EnumerateFiles("*", options))
                if (f.LinkTarget is null) total += f.Length;
        }
        catch (DirectoryNotFoundException) { }
        return total;
    }

    private static void Walk(string upper, string relative, IReadOnlyList<string> lowers, bool hiddenBelow, List<(string, Kind)> changes)
    {
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(Path.Combine(upper, relative.TrimStart('/'))); }
        catch (DirectoryNotFoundException) { return; }
        foreach (var full in entries)
        {
            var path = relative + "/" + Path.GetFileName(full);
            if (FileStatus.OfPath(full, followSymlinks: false) is not { } st) continue;
            if (st.IsCharacterDevice && st.Rdev == 0)
            {
                changes.Add((path, Kind.Deleted));
                continue;
            }
            bool below = !hiddenBelow && lowers.Any(l => FileStatus.OfPath(Path.Combine(l, path.TrimStart('/')), followSymlinks: false) is not null);
            changes.Add((path, below ? Kind.Modified : Kind.Added));
            if (st.IsDirectory)
                Walk(upper, path, lowers, hiddenBelow || !below || IsOpaque(full), changes);
        }
    }

    private static bool IsOpaque(string dir) => Attribute(dir, "trusted.overlay.opaque") || Attribute(dir, "user.overlay.opaque");

    /// <summary>The attribute is "y" (a file system without xattrs, or a namespace the daemon may not read, has none).</summary>
    private static bool Attribute(string path, string name)
    {
        try { return ExtendedAttributes.Get(path, name) is [(byte)'y']; }
        catch (Carton.Linux.Interop.SyscallException) { return false; }
    }
}
