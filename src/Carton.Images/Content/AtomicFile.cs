namespace Carton.Images.Content;

/// <summary>Whole-file replacement that a crash cannot leave half done: temp file beside the target, fsync, rename.</summary>
/// <remarks>The rename is atomic on one filesystem (POSIX rename(2)); readers see the old file or the new one. The
/// directory itself is not fsync'd (.NET opens no directory handle without P/Invoke), so after a power loss the
/// rename may be lost, never half applied.</remarks>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (IoErrors.IsOutOfSpace(e)) throw IoErrors.OutOfSpace($"write {path}", e);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
