using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Carton.Network;

/// <summary>Records as JSON files, each replaced atomically (write a temp file, flush it to disk, rename over the old
/// one; NTFS's rename is atomic too): a crash leaves the old record or the new one, never half of one. Shared by the
/// Linux and Windows network services.</summary>
internal static class RecordFiles
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

    /// <summary>The record, or null when there is none or it cannot be read (a record torn by hand is skipped, not fatal).</summary>
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

    /// <summary>The records in <paramref name="directory"/> named *<paramref name="suffix"/>.</summary>
    public static List<T> ReadAll<T>(string directory, string suffix, JsonTypeInfo<T> type) where T : class
    {
        var list = new List<T>();
        if (!Directory.Exists(directory)) return list;
        foreach (var f in Directory.EnumerateFiles(directory, "*" + suffix).Order(StringComparer.Ordinal))
            if (Read(f, type) is { } r) list.Add(r);
        return list;
    }

    /// <summary>Removes a record; a missing one (or its directory) is no error.</summary>
    public static void Delete(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }
}
