namespace Carton.Images.Linux.Unpack;

/// <summary>
/// A tar entry's name made a path relative to the layer root ("" is the root itself). Like containerd (and GNU tar),
/// a leading "/" is dropped: an absolute name means the same place under the root. "." and empty components go; ".."
/// takes the previous component away, and a ".." that would climb above the root is refused (Docker's
/// "breakout" check; containerd clamps it, which hides a malicious layer instead of reporting it). A NUL inside the
/// name is refused (the system call would cut the name there, after the check), and so is a name that was not valid
/// UTF-8 (System.Formats.Tar decodes names as UTF-8, so the bytes on disk could not be the archive's).
/// </summary>
internal static class EntryPath
{
    /// <summary>The cleaned path, or null with <paramref name="error"/> saying why. With
    /// <paramref name="refuseEscapes"/> false (the "layer-path-check" defence switched off) ".." is passed on as it is.</summary>
    public static string? Clean(string name, bool refuseEscapes, out string? error)
    {
        error = null;
        if (refuseEscapes)
        {
            if (name.Contains('\0', StringComparison.Ordinal)) { error = "the name holds a NUL byte"; return null; }
            if (name.Contains('\uFFFD', StringComparison.Ordinal)) { error = "the name is not valid UTF-8"; return null; }
        }
        if (IsClean(name)) return name.Length > 0 && name[^1] == '/' ? name[..^1] : name;

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == ".." && refuseEscapes)
            {
                if (parts.Count == 0) { error = "\"..\" climbs above the layer root"; return null; }
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>True for the common case, "usr/bin/ls" or "usr/bin/": no leading "/", no empty, "." or ".." part.</summary>
    private static bool IsClean(string name)
    {
        if (name.Length == 0 || name[0] == '/') return false;
        int start = 0;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '/') continue;
            int len = i - start;
            if (len == 0) { if (i != name.Length) return false; } // "a//b"; a trailing "/" is fine
            else if (name[start] == '.' && (len == 1 || (len == 2 && name[start + 1] == '.'))) return false;
            start = i + 1;
        }
        return true;
    }

    /// <summary>The last component ("" for the root).</summary>
    public static string BaseName(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>Everything before the last component ("" when the path is one component).</summary>
    public static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>"dir/name", or "name" when <paramref name="dir"/> is the root.</summary>
    public static string Join(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;
}
