namespace Carton.Docker;

/// <summary>
/// The files of a container's log as the monitor rotates them (path, path.1 ... path.N, the highest the oldest: the
/// compute contract's initIo.logMaxSize/logMaxFiles, dockerd's json-file layout), opened for reading oldest first.
/// Files are opened and then checked to still be where they were found: a rotation between the two (another process
/// renames them; nothing here can lock it out) is seen and the opening done again, so a reader neither skips a file
/// nor reads one twice. An open file stays readable when it is renamed or unlinked, so a reader finishes it.
/// </summary>
internal static class RotatedLogFiles
{
    private const int Attempts = 10;

    /// <summary>Every file of the log, oldest first, the current one (<paramref name="path"/>) last; empty when there is no log.</summary>
    public static List<FileStream> OpenAll(string path) => OpenNewerThan(path, int.MaxValue);

    /// <summary>The files written after <paramref name="file"/> (one of the log's files, open), oldest first: none when it
    /// is still the current file; the ones below its rotated index; every file when it has been rotated out of the log
    /// (unlinked: everything there now is newer).</summary>
    public static List<FileStream> OpenAfter(string path, FileStream file)
    {
        for (int attempt = 0; ; attempt++)
        {
            var name = CurrentName(file);
            if (name == path) return [];
            int index = IndexOf(path, name) ?? int.MaxValue;
            var files = OpenNewerThan(path, index);
            // the file has not moved meanwhile: the files opened are the ones after it
            if (CurrentName(file) == name || attempt == Attempts) return files;
            Close(files);
        }
    }

    /// <summary>Where an open file is now: /proc/self/fd's link names its current path (with " (deleted)" once unlinked).
    /// A rename shows here as a different name, which is how a follower sees its file rotated away.</summary>
    public static string CurrentName(FileStream file)
    {
        try { return new FileInfo($"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}").LinkTarget ?? file.Name; }
        catch (IOException) { return file.Name; }
    }

    public static void Close(List<FileStream> files)
    {
        foreach (var f in files) f.Dispose();
        files.Clear();
    }

    /// <summary>path.k's k (0 for path), or null when <paramref name="name"/> is not one of the log's files.</summary>
    private static int? IndexOf(string path, string name)
    {
        if (name == path) return 0;
        if (!name.StartsWith(path + ".", StringComparison.Ordinal)) return null;
        return int.TryParse(name.AsSpan(path.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k) && k > 0 ? k : null;
    }

    /// <summary>The rotated files with an index below <paramref name="below"/> (oldest first), then the current file.</summary>
    private static List<FileStream> OpenNewerThan(string path, int below)
    {
        for (int attempt = 0; ; attempt++)
        {
            var names = new List<(int Index, string Name)>();
            var dir = Path.GetDirectoryName(path);
            if (dir is { Length: > 0 } && Directory.Exists(dir))
            {
                foreach (var candidate in Directory.EnumerateFiles(dir, Path.GetFileName(path) + ".*"))
                    // (the pattern also matches the log itself: DOS semantics make ".*" optional)
                    if (IndexOf(path, candidate) is { } k && k > 0 && k < below) names.Add((k, candidate));
            }
            names.Sort((a, b) => b.Index.CompareTo(a.Index));
            names.Add((0, path));
            var files = new List<FileStream>();
            bool moved = false;
            foreach (var (_, name) in names)
            {
                try { files.Add(new FileStream(name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous)); }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    // a rotated file gone: shifted meanwhile; the current one missing behind rotated ones: mid-rotation
                    moved = name != path || files.Count > 0;
                }
            }
            for (int i = 0; i < files.Count && !moved; i++) moved = CurrentName(files[i]) != files[i].Name;
            if (!moved || attempt == Attempts) return files;
            Close(files);
        }
    }
}
