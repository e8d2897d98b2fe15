namespace Carton.Compute.Windows.Translation;

/// <summary>Windows path checks done on any OS (System.IO.Path follows the host's rules, so it cannot be used on Linux).</summary>
internal static class WindowsPaths
{
    /// <summary>The named pipe prefix; hcsshim tells pipe mounts from directory mounts by it.</summary>
    public const string PipePrefix = @"\\.\pipe\";

    /// <summary>A drive-absolute path (C:\x, C:/x) or a UNC / device path (\\server\share, \\?\Volume{...}\).</summary>
    public static bool IsAbsolute(string path) =>
        (path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && IsSeparator(path[2]))
        || (path.Length >= 3 && IsSeparator(path[0]) && IsSeparator(path[1]));

    /// <summary>Whether <paramref name="path"/> names a named pipe.</summary>
    public static bool IsPipe(string path) => path.StartsWith(PipePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The last element of a path, ignoring trailing separators (hcsshim: filepath.Split's file part).</summary>
    public static string BaseName(string path)
    {
        var trimmed = path.AsSpan().TrimEnd(@"\/");
        int cut = trimmed.LastIndexOfAny('\\', '/');
        return trimmed[(cut + 1)..].ToString();
    }

    /// <summary>A volume GUID path, \\?\Volume{GUID} with or without the trailing backslash.</summary>
    public static bool IsVolumeGuidPath(string path)
    {
        const string prefix = @"\\?\Volume{";
        if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        var rest = path.AsSpan(prefix.Length);
        int close = rest.IndexOf('}');
        if (close != 36 || !Guid.TryParseExact(rest[..close], "D", out _))
            return false;
        var tail = rest[(close + 1)..];
        return tail.Length == 0 || tail is @"\";
    }

    private static bool IsSeparator(char c) => c is '\\' or '/';
}
