using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Carton.Network.Windows;

/// <summary>Carton's records as JSON files, each replaced whole (written to a temporary file, flushed, then moved over
/// the old one, which NTFS does atomically), so a crash leaves the old record or the new one.</summary>
internal static class RecordStore
{
    public static void Write<T>(string path, T value, JsonTypeInfo<T> type)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(f, value, type);
                f.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <summary>The record, or null when there is none or it is not readable JSON (skipped, not fatal).</summary>
    public static T? Read<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), type);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Every record in <paramref name="directory"/>, in file name order.</summary>
    public static List<T> ReadAll<T>(string directory, JsonTypeInfo<T> type) where T : class
    {
        var list = new List<T>();
        if (!Directory.Exists(directory)) return list;
        foreach (var f in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
            if (Read(f, type) is { } r) list.Add(r);
        return list;
    }

    public static void Delete(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }
}
