namespace Carton.Images.Windows;

/// <summary>Removing a folder tree the importer made, whatever its files' attributes.</summary>
internal static class FolderTree
{
    /// <summary>Removes <paramref name="path"/> and everything in it, if it exists; best effort (a failure to remove
    /// leaves the folder, it does not hide the error that led here). On Windows a read-only file cannot be deleted,
    /// so the attributes are reset first.</summary>
    public static void Remove(string path)
    {
        try
        {
            if (File.Exists(path) && !Directory.Exists(path)) { File.Delete(path); return; }
            if (!Directory.Exists(path)) return;
            if (OperatingSystem.IsWindows())
                foreach (var entry in Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories))
                    File.SetAttributes(entry, Directory.Exists(entry) ? FileAttributes.Directory : FileAttributes.Normal);
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
