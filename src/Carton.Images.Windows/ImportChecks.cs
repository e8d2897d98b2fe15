namespace Carton.Images.Windows;

/// <summary>
/// The defences of <see cref="WindowsLayerImporter"/>, by name: the same attacks the Linux unpacker
/// (Carton.Images.Linux.Unpack) refuses, plus the ones only Windows path rules make possible. Each refusal names its
/// check (<see cref="WindowsLayerException.Check"/>). Tests switch one off through
/// <see cref="WindowsLayerImportOptions.DisabledChecks"/> (internal: there is no way to do so from outside the
/// assembly and its tests) to show that the attack test fails without it.
/// </summary>
public static class ImportChecks
{
    /// <summary>A ".." component: it would climb out of the layer folder.</summary>
    public const string DotDot = "path-dotdot";
    /// <summary>A name starting with "/": an absolute path.</summary>
    public const string Absolute = "path-absolute";
    /// <summary>A drive letter ("C:…"): on Windows, a path on another volume.</summary>
    public const string DriveLetter = "path-drive";
    /// <summary>A backslash: a separator on Windows that Linux (and the checks) would read as part of a name.</summary>
    public const string Backslash = "path-backslash";
    /// <summary>A ':' after the first character of a component: an NTFS alternate data stream ("file:stream").</summary>
    public const string AlternateStream = "path-ads";
    /// <summary>A DOS device name (CON, NUL, COM1, LPT1, …): on Windows it opens the device, not a file.</summary>
    public const string DeviceName = "path-device";
    /// <summary>A component ending in '.' or ' ', or holding a character Windows forbids in names (&lt;&gt;"|?* and
    /// control characters): Windows strips or refuses them, so the name would alias another or fail late. Also a
    /// name ending in ".$wcidirs$", which the transport folder reserves for a directory's metadata.</summary>
    public const string WindowsName = "path-windows-name";
    /// <summary>An entry outside Files/, Hives/ and UtilityVM/Files/ (the layer format's only roots).</summary>
    public const string Root = "path-root";
    /// <summary>A second entry for a path already written, or for one that differs from it only in case (the same
    /// file on Windows, whose names are case-insensitive).</summary>
    public const string Duplicate = "path-duplicate";
    /// <summary>A hard link whose target is not a file this layer wrote (outside the layer, a parent layer's file, a
    /// directory).</summary>
    public const string LinkInLayer = "link-in-layer";
    /// <summary>Every path written is checked to resolve inside the staging folder (belt and braces behind the name
    /// checks).</summary>
    public const string Contained = "path-contained";
    /// <summary>The uncompressed tar's digest must be the DiffID the image gives.</summary>
    public const string DiffId = "layer-diffid";
}
