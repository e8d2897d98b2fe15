namespace Carton.Images.Windows;

/// <summary>
/// A Windows layer tar entry's name, checked and split. The names in these tars are relative, '/'-separated and
/// start with Files/, Hives/ or UtilityVM/Files/ (hcsshim's ociwclayer and go-winio's backuptar write them so, and
/// Docker's Windows daemon too), so anything else is refused rather than cleaned, unlike the Linux unpacker's
/// containerd-style clean of a leading "/": a Windows layer that needs cleaning was not written by a Windows tool.
/// The import is written on Linux (tests, a build host) and on Windows, so a name must be safe under both path rules:
/// no '\' (a separator on Windows only), no drive letter, no ':' (an alternate data stream), no DOS device name, no
/// trailing '.' or ' ' (Windows strips them, so "Files." is "Files").
/// </summary>
internal static class WindowsEntryPath
{
    /// <summary>The layer format's roots.</summary>
    public const string Files = "Files", Hives = "Hives", UtilityVM = "UtilityVM";

    private static readonly HashSet<string> Devices = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00B9", "COM\u00B2", "COM\u00B3",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00B9", "LPT\u00B2", "LPT\u00B3",
    };

    /// <summary>
    /// The components of <paramref name="name"/> ("." and empty ones dropped), or null with the refusing check and
    /// why. <paramref name="what"/> says what the name is in messages ("the name", "the hard link target").
    /// </summary>
    public static List<string>? Parse(string name, string what, WindowsLayerImportOptions options, out string? check, out string? why)
    {
        check = null;
        why = null;
        if (name.Length == 0) return Refuse(ImportChecks.Root, $"{what} is empty", out check, out why);
        if (options.On(ImportChecks.WindowsName) && name.Contains('\0', StringComparison.Ordinal))
            return Refuse(ImportChecks.WindowsName, $"{what} holds a NUL byte", out check, out why);
        if (options.On(ImportChecks.Backslash) && name.Contains('\\', StringComparison.Ordinal))
            return Refuse(ImportChecks.Backslash, $"{what} holds a '\\', a path separator on Windows", out check, out why);
        if (options.On(ImportChecks.Absolute) && name[0] == '/')
            return Refuse(ImportChecks.Absolute, $"{what} is absolute", out check, out why);

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == ".." && options.On(ImportChecks.DotDot))
                return Refuse(ImportChecks.DotDot, $"{what} has a \"..\" component, which would climb out of its folder", out check, out why);
            if (parts.Count == 0 && options.On(ImportChecks.DriveLetter) && part.Length >= 2 && part[1] == ':' && char.IsAsciiLetter(part[0]))
                return Refuse(ImportChecks.DriveLetter, $"{what} starts with a drive letter (\"{part[..2]}\")", out check, out why);
            if (options.On(ImportChecks.AlternateStream) && part.Contains(':', StringComparison.Ordinal))
                return Refuse(ImportChecks.AlternateStream, $"{what} has a ':' in \"{part}\": an NTFS alternate data stream (not supported)", out check, out why);
            if (options.On(ImportChecks.DeviceName) && IsDevice(part))
                return Refuse(ImportChecks.DeviceName, $"{what} has \"{part}\", a DOS device name that opens the device on Windows", out check, out why);
            if (options.On(ImportChecks.WindowsName) && part != ".." && BadWindowsName(part) is { } bad)
                return Refuse(ImportChecks.WindowsName, $"{what} has \"{part}\", which {bad}", out check, out why);
            parts.Add(part);
        }
        if (parts.Count == 0) return Refuse(ImportChecks.Root, $"{what} names the layer root", out check, out why);
        if (options.On(ImportChecks.Root))
        {
            // The roots are matched case-sensitively: on Windows "files/x" would land in Files\x while the checks and a
            // Linux staging folder saw another folder, and no Windows tool writes them in another case.
            bool ok = parts[0] is Files or Hives || (parts[0] == UtilityVM && (parts.Count == 1 || parts[1] == Files));
            if (!ok)
                return Refuse(ImportChecks.Root, $"{what} is outside Files/, Hives/ and UtilityVM/Files/, the Windows layer format's only folders", out check, out why);
        }
        return parts;
    }

    /// <summary>"CON", "nul.txt", "COM1 .log": the device name is the part before the first '.', trailing spaces
    /// dropped (Microsoft Learn, "Naming Files, Paths, and Namespaces").</summary>
    private static bool IsDevice(string part)
    {
        int dot = part.IndexOf('.', StringComparison.Ordinal);
        var stem = (dot < 0 ? part : part[..dot]).TrimEnd(' ');
        return Devices.Contains(stem);
    }

    private static string? BadWindowsName(string part)
    {
        if (part[^1] is '.' or ' ') return "ends with '.' or ' ' (Windows strips them, so it would name another file)";
        if (part.EndsWith(TransportFolderWriter.DirectoryMarker, StringComparison.OrdinalIgnoreCase))
            return $"ends with \"{TransportFolderWriter.DirectoryMarker}\", which the transport folder reserves for a directory's metadata";
        foreach (var c in part)
        {
            if (c < 0x20) return "holds a control character";
            if (c is '<' or '>' or '"' or '|' or '?' or '*') return $"holds '{c}', which Windows forbids in names";
        }
        return null;
    }

    private static List<string>? Refuse(string check, string reason, out string? checkOut, out string? whyOut)
    {
        checkOut = check;
        whyOut = reason;
        return null;
    }
}
