namespace Carton.Compute.Linux;

/// <summary>
/// The init's log as <see cref="InitRelay"/> appends it, rotated as dockerd's json-file driver rotates (moby's
/// loggerutils.LogFile): before an entry is written, a file that has reached <c>maxSize</c> is moved aside
/// (path → path.1 → ... → path.(maxFiles-1), the oldest dropped; with one file it is unlinked) and a new one is
/// started under the same name. So every file holds whole entries, a file passes maxSize by at most one entry, and a
/// reader that has the old file open finishes it undisturbed (it is renamed or unlinked, never truncated). No error
/// leaves this class: a full disk or a failed rename loses log entries, never the container.
/// </summary>
internal sealed class RotatingLogFile : IDisposable
{
    private readonly string _path;
    private readonly long _maxSize;
    private readonly int _maxFiles;
    private FileStream? _file;
    private long _size;

    /// <param name="path">The log (its directory is made).</param>
    /// <param name="maxSize">Rotate once the file holds this many bytes; 0: never.</param>
    /// <param name="maxFiles">How many files the log spans (&gt;= 1).</param>
    public RotatingLogFile(string path, long maxSize, int maxFiles)
    {
        _path = path;
        _maxSize = maxSize;
        _maxFiles = Math.Max(1, maxFiles);
        var dir = Path.GetDirectoryName(path);
        if (dir is { Length: > 0 }) Directory.CreateDirectory(dir);
        // a restarted container appends to the file its last run left (as dockerd does), and counts what is there
        _file = Open(FileMode.Append);
        _size = _file.Length;
    }

    /// <summary>The name of the n-th rotated file (n &gt;= 1; 0 is the log itself).</summary>
    public static string RotatedPath(string path, int n) => n == 0 ? path : $"{path}.{n}";

    /// <summary>Appends one whole entry (one write: a reader never sees half of it in one file and half in another).</summary>
    public void Write(ReadOnlySpan<byte> entry)
    {
        if (_maxSize > 0 && _size >= _maxSize) Rotate();
        if (_file is null)
        {
            // the last rotation could not open a new file (a full disk, say): try again for this entry
            try { _file = Open(FileMode.Append); _size = _file.Length; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        }
        try
        {
            _file.Write(entry);
            _size += entry.Length;
        }
        catch (IOException) { /* a full disk loses log lines, never the container */ }
    }

    public void Flush()
    {
        try { _file?.Flush(); } catch (IOException) { }
    }

    /// <summary>Moves the files aside (newest to .1) and opens a new, empty log under the same name.</summary>
    private void Rotate()
    {
        try { _file?.Dispose(); } catch (IOException) { }
        _file = null;
        try { Shift(_path, _maxFiles); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* then the log is truncated below: entries lost, not the container */ }
        try
        {
            // Truncate as well as create: if the shift failed the old content is dropped rather than the size left over
            _file = Open(FileMode.Create);
            _size = 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The rotation's renames: path.(maxFiles-1) is dropped, path.k becomes path.(k+1), path becomes path.1;
    /// with one file, path is unlinked. Missing files are skipped (a young log has fewer).</summary>
    internal static void Shift(string path, int maxFiles)
    {
        if (maxFiles < 2)
        {
            File.Delete(path);
            return;
        }
        File.Delete(RotatedPath(path, maxFiles - 1));
        for (int k = maxFiles - 2; k >= 0; k--)
        {
            var from = RotatedPath(path, k);
            if (File.Exists(from)) File.Move(from, RotatedPath(path, k + 1), overwrite: true);
        }
    }

    private FileStream Open(FileMode mode) =>
        new(_path, mode, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    public void Dispose()
    {
        try { _file?.Dispose(); } catch (IOException) { }
        _file = null;
    }
}
