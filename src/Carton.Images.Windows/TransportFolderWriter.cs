using System.Buffers.Binary;
using System.Formats.Tar;
using System.Globalization;
using System.Text;

namespace Carton.Images.Windows;

/// <summary>
/// Writes a Windows layer tar's entries into a staging folder in the layer transport format, the form
/// HcsImportLayer's sourceFolderPath takes ("a container layer … copied in a transport format to the host") and
/// HcsExportLayer writes; hcsshim's internal/wclayer legacyLayerWriter (writer) and legacyLayerReader (reader) are the
/// reading of that format this follows:
/// <list type="bullet">
/// <item>Files/…: each file is a file of the same name holding its FILE_ATTRIBUTE_* as a little-endian DWORD, then
/// its Win32 backup stream (<see cref="BackupStreamFormat"/>: the security descriptor, the reparse data of a link, the
/// data). Each directory is a directory, plus a file "NAME.$wcidirs$" next to it holding its attributes and backup
/// stream. The same goes for the Files and Hives directory entries themselves.</item>
/// <item>Hives/…: the registry hive files as plain files (hcsshim restores them with BackupWrite).</item>
/// <item>UtilityVM/Files/…: the utility VM's files as plain files and directories.</item>
/// <item>tombstones.txt: the layer's whiteouts under Files/, "\xEF\xBB\xBFVersion 1.0" then one "\path\in\Files" a
/// line, the form legacyLayerReader reads from an exported layer.</item>
/// </list>
/// Windows-only metadata: for Files/ it is RECORDED in the transport bytes on every OS (attributes and security
/// descriptor are data here; HCS applies them when it imports), so the folder written on Linux is the one Windows
/// would write. For Hives/ and UtilityVM/ (plain files), file attributes are APPLIED on Windows
/// (File.SetAttributes, guarded by OperatingSystem.IsWindows) and IGNORED on Linux, and security descriptors are
/// NOT APPLIED on either (counted in the result's warnings): hcsshim restores them with BackupWrite and
/// SeRestorePrivilege, which Carton does not do yet. The creation time (LIBARCHIVE.creationtime) is applied on
/// Windows only; the modification time everywhere. Extended attributes (MSWINDOWS.xattr.*) are not imported
/// (counted in the warnings).
/// No symlink is ever created in the staging folder (a link is reparse data inside a file), so no entry can make a
/// later one's path lead elsewhere; hard links become copies of a file this layer wrote.
/// </summary>
internal sealed class TransportFolderWriter
{
    internal const string WhiteoutPrefix = ".wh.", WhiteoutMetaPrefix = ".wh..wh.", DirectoryMarker = ".$wcidirs$";
    internal const string TombstonesFile = "tombstones.txt";
    private const uint FileAttributeDirectory = 0x10;

    private readonly string _staging;
    private readonly string _stagingFull;
    private readonly WindowsLayerImportOptions _options;
    private readonly byte[] _buffer;
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);
    private readonly List<string> _tombstones = [];
    private readonly Dictionary<string, int> _unapplied = new(StringComparer.Ordinal);

    public TransportFolderWriter(string staging, WindowsLayerImportOptions options, byte[] buffer)
    {
        _staging = staging;
        _stagingFull = Path.GetFullPath(staging).TrimEnd(Path.DirectorySeparatorChar);
        _options = options;
        _buffer = buffer;
    }

    /// <summary>Bytes of file data written.</summary>
    public long Bytes { get; private set; }

    /// <summary>The whiteouts under Files/, as tombstones.txt lists them.</summary>
    public IReadOnlyList<string> Tombstones => _tombstones;

    /// <summary>Metadata not applied, one line a kind.</summary>
    public IReadOnlyList<string> Warnings =>
        [.. _unapplied.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}")];

    /// <summary>Writes one entry (or records its whiteout). Throws <see cref="WindowsLayerException"/> naming it.</summary>
    public void Add(TarEntry e)
    {
        var parts = Parse(e, e.Name, "the name");
        var baseName = parts[^1];
        if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            Whiteout(e, parts, baseName);
            return;
        }
        var path = string.Join('/', parts);
        if (_options.On(ImportChecks.Duplicate) && !_seen.Add(path))
            throw Refused(e, ImportChecks.Duplicate, $"\"{path}\" was already written by an earlier entry (or one differing only in case: the same file on Windows)");
        var full = FullPath(e, path);
        bool transport = parts[0] != WindowsEntryPath.UtilityVM && !(parts[0] == WindowsEntryPath.Hives && parts.Count > 1);
        var pax = (e as PaxTarEntry)?.ExtendedAttributes;
        switch (e.EntryType)
        {
            case TarEntryType.Directory:
                Directory.CreateDirectory(full);
                if (transport) WriteTransport(e, full + DirectoryMarker, Attributes(e, pax) | FileAttributeDirectory, pax, reparse: null);
                else ApplyPlainMetadata(e, full, pax, directory: true);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                EnsureParent(full);
                if (transport) WriteTransport(e, full, Attributes(e, pax), pax, reparse: null);
                else
                {
                    using (var f = new FileStream(full, FileMode.CreateNew, FileAccess.Write)) CopyData(e, f);
                    ApplyPlainMetadata(e, full, pax, directory: false);
                }
                _files.Add(path);
                break;
            case TarEntryType.HardLink:
                HardLink(e, parts, path, full);
                break;
            case TarEntryType.SymbolicLink:
                if (parts[0] != WindowsEntryPath.Files || parts.Count < 2)
                    throw new WindowsLayerException(ErrorKind.Unsupported, _options.Name, e.Name,
                        "a link outside Files/ (hcsshim restores those with BackupWrite; Carton imports links under Files/ only)");
                if (e.LinkName.Length == 0 || e.LinkName.Contains('\0', StringComparison.Ordinal))
                    throw Refused(e, ImportChecks.WindowsName, "the link target is empty or holds a NUL byte");
                EnsureParent(full);
                byte[] reparse;
                try { reparse = BackupStreamFormat.EncodeReparsePoint(e.LinkName, pax?.ContainsKey("MSWINDOWS.mountpoint") == true); }
                catch (ArgumentException ex) { throw Refused(e, ImportChecks.WindowsName, ex.Message); }
                WriteTransport(e, full, Attributes(e, pax), pax, reparse);
                break;
            default:
                throw new WindowsLayerException(ErrorKind.InvalidDocument, _options.Name, e.Name,
                    $"a {e.EntryType} entry: a Windows layer holds files, directories and links only");
        }
    }

    /// <summary>Writes tombstones.txt (always: the transport format has one, empty or not).</summary>
    public void Finish()
    {
        var text = new StringBuilder("\uFEFFVersion 1.0\r\n");
        foreach (var t in _tombstones) text.Append(t).Append("\r\n");
        File.WriteAllText(Path.Combine(_staging, TombstonesFile), text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private void Whiteout(TarEntry e, List<string> parts, string baseName)
    {
        if (baseName.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal))
            throw new WindowsLayerException(ErrorKind.InvalidDocument, _options.Name, e.Name,
                "an opaque or aufs whiteout (\".wh..wh.\"): the Windows layer format has none");
        // The deleted name goes through the same checks: ".wh..." or ".wh.CON" must not reach tombstones.txt.
        var target = Parse(e, string.Join('/', parts.Take(parts.Count - 1).Append(baseName[WhiteoutPrefix.Length..])), "the whiteout's target");
        if (target[0] == WindowsEntryPath.Files && target.Count >= 2)
        {
            _tombstones.Add("\\" + string.Join('\\', target.Skip(1)));
            return;
        }
        if (target[0] == WindowsEntryPath.UtilityVM)
            throw new WindowsLayerException(ErrorKind.Unsupported, _options.Name, e.Name,
                "a whiteout in UtilityVM/Files (hcsshim applies it to a clone of the parent's utility VM; Carton does not)");
        if (_options.On(ImportChecks.Root)) throw Refused(e, ImportChecks.Root, "a whiteout outside Files/ (hcsshim: \"invalid tombstone\")");
        _tombstones.Add("\\" + string.Join('\\', target)); // what an importer without the check would list
    }

    private void HardLink(TarEntry e, List<string> parts, string path, string full)
    {
        var target = Parse(e, e.LinkName, "the hard link target");
        var targetPath = string.Join('/', target);
        if (_options.On(ImportChecks.LinkInLayer))
        {
            // As hcsshim's AddLink: links live in Files/ or UtilityVM/Files/, and point into the same tree.
            bool inFiles = parts[0] == WindowsEntryPath.Files && target[0] == WindowsEntryPath.Files;
            bool inUvm = parts[0] == WindowsEntryPath.UtilityVM && target[0] == WindowsEntryPath.UtilityVM;
            if (!inFiles && !inUvm || parts.Count < 2 || target.Count < 2)
                throw Refused(e, ImportChecks.LinkInLayer, $"a hard link from \"{path}\" to \"{targetPath}\": both must be in Files/ or both in UtilityVM/Files/");
            if (!_files.Contains(targetPath))
                throw Refused(e, ImportChecks.LinkInLayer,
                    $"the hard link target \"{targetPath}\" is not a file of this layer (links into parent layers are not imported)");
        }
        var source = FullPath(e, targetPath);
        EnsureParent(full);
        // A copy, not a link: the transport folder is input to HcsImportLayer, which reads each file's bytes.
        File.Copy(source, full, overwrite: false);
        _files.Add(path);
    }

    /// <summary>The components of <paramref name="name"/> (the entry's name, its link target, a whiteout's target);
    /// a refusal names the entry <paramref name="e"/>.</summary>
    private List<string> Parse(TarEntry e, string name, string what) =>
        WindowsEntryPath.Parse(name, what, _options, out var check, out var why)
        ?? throw new WindowsLayerException(ErrorKind.InvalidDocument, _options.Name, e.Name, why!, check: check);

    private string FullPath(TarEntry e, string path)
    {
        var full = Path.GetFullPath(Path.Combine(_staging, path));
        if (_options.On(ImportChecks.Contained) && !full.StartsWith(_stagingFull + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw Refused(e, ImportChecks.Contained, $"\"{path}\" resolves outside the layer folder");
        return full;
    }

    private static void EnsureParent(string full) => Directory.CreateDirectory(Path.GetDirectoryName(full)!);

    /// <summary>MSWINDOWS.fileattr (decimal), else what go-winio's FileInfoFromHeader assumes: DIRECTORY for a
    /// directory, nothing for the rest.</summary>
    private uint Attributes(TarEntry e, IReadOnlyDictionary<string, string>? pax)
    {
        if (pax is not null && pax.TryGetValue("MSWINDOWS.fileattr", out var text))
        {
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var attrs))
                throw new WindowsLayerException(ErrorKind.InvalidDocument, _options.Name, e.Name, $"MSWINDOWS.fileattr \"{text}\" is not a decimal DWORD");
            return attrs;
        }
        return e.EntryType == TarEntryType.Directory ? FileAttributeDirectory : 0;
    }

    /// <summary>MSWINDOWS.rawsd (base64 of a self-relative security descriptor), or null. The SDDL form
    /// (MSWINDOWS.sd, from tools before 2017) needs Windows' SDDL parser: refused rather than dropped, since a file
    /// without its descriptor gets the folder's inherited one.</summary>
    private byte[]? SecurityDescriptor(TarEntry e, IReadOnlyDictionary<string, string>? pax)
    {
        if (pax is null) return null;
        if (pax.TryGetValue("MSWINDOWS.rawsd", out var raw))
        {
            try { return Convert.FromBase64String(raw); }
            catch (FormatException) { throw new WindowsLayerException(ErrorKind.InvalidDocument, _options.Name, e.Name, "MSWINDOWS.rawsd is not base64"); }
        }
        if (pax.ContainsKey("MSWINDOWS.sd"))
            throw new WindowsLayerException(ErrorKind.Unsupported, _options.Name, e.Name,
                "MSWINDOWS.sd (an SDDL security descriptor) is not read: only MSWINDOWS.rawsd is");
        return null;
    }

    private void WriteTransport(TarEntry e, string file, uint attributes, IReadOnlyDictionary<string, string>? pax, byte[]? reparse)
    {
        var sd = SecurityDescriptor(e, pax);
        CountExtendedAttributes(pax);
        using (var f = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
        {
            Span<byte> attrs = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(attrs, attributes);
            f.Write(attrs);
            if (sd is not null)
            {
                BackupStreamFormat.WriteHeader(f, BackupStreamFormat.SecurityData, sd.Length);
                f.Write(sd);
            }
            if (reparse is not null)
            {
                BackupStreamFormat.WriteHeader(f, BackupStreamFormat.ReparseData, reparse.Length);
                f.Write(reparse);
            }
            if (e.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
            {
                BackupStreamFormat.WriteHeader(f, BackupStreamFormat.Data, e.Length);
                CopyData(e, f);
            }
        }
        SetTimes(e, file, pax);
    }

    private void ApplyPlainMetadata(TarEntry e, string full, IReadOnlyDictionary<string, string>? pax, bool directory)
    {
        var attributes = Attributes(e, pax);
        if (SecurityDescriptor(e, pax) is not null) Count("security descriptors under Hives/ and UtilityVM/ not applied");
        CountExtendedAttributes(pax);
        if (!directory) SetTimes(e, full, pax); // before the attributes: a read-only file's times cannot be set after
        if (OperatingSystem.IsWindows())
        {
            // Only the attributes File.SetAttributes takes (the low bits: read-only, hidden, system, archive, …);
            // DIRECTORY and REPARSE_POINT describe what the entry is, not something to set.
            var settable = (FileAttributes)(attributes & 0x0000_31A7);
            if (settable != 0) File.SetAttributes(full, settable | (directory ? FileAttributes.Directory : 0));
        }
        else if ((attributes & ~FileAttributeDirectory) != 0)
        {
            Count("file attributes under Hives/ and UtilityVM/ ignored (not Windows)");
        }
    }

    private void SetTimes(TarEntry e, string file, IReadOnlyDictionary<string, string>? pax)
    {
        File.SetLastWriteTimeUtc(file, e.ModificationTime.UtcDateTime);
        if (pax is null || !pax.TryGetValue("LIBARCHIVE.creationtime", out var text)) return;
        if (!TryParsePaxTime(text, out var created))
            throw new WindowsLayerException(ErrorKind.InvalidDocument, _options.Name, e.Name, $"LIBARCHIVE.creationtime \"{text}\" is not a time (seconds[.fraction])");
        if (OperatingSystem.IsWindows()) File.SetCreationTimeUtc(file, created);
    }

    /// <summary>A PAX time, "seconds[.fraction]" since the epoch (POSIX pax, as archive/tar's parsePAXTime).</summary>
    internal static bool TryParsePaxTime(string text, out DateTime time)
    {
        time = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var secText = dot < 0 ? text : text[..dot];
        var fracText = dot < 0 ? "" : text[(dot + 1)..];
        if (!long.TryParse(secText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)) return false;
        if (fracText.Length > 0 && !fracText.All(char.IsAsciiDigit)) return false;
        long ticks = 0;
        var frac = (fracText + "0000000")[..7]; // 100 ns units
        if (fracText.Length > 0) ticks = long.Parse(frac, CultureInfo.InvariantCulture);
        if (seconds < -62_135_596_800 || seconds > 253_402_300_799) return false;
        time = DateTime.UnixEpoch.AddSeconds(seconds).AddTicks(seconds < 0 && fracText.Length > 0 ? -ticks : ticks);
        return true;
    }

    private void CountExtendedAttributes(IReadOnlyDictionary<string, string>? pax)
    {
        if (pax is not null && pax.Keys.Any(k => k.StartsWith("MSWINDOWS.xattr.", StringComparison.Ordinal)))
            Count("entries with extended attributes (MSWINDOWS.xattr.*) not imported");
    }

    private void Count(string what) => _unapplied[what] = _unapplied.GetValueOrDefault(what) + 1;

    private void CopyData(TarEntry e, Stream to)
    {
        long left = e.Length;
        var data = e.DataStream;
        while (left > 0)
        {
            int n = data is null ? 0 : data.Read(_buffer, 0, (int)Math.Min(_buffer.Length, left));
            if (n == 0) throw new WindowsLayerException(ErrorKind.InvalidDocument, _options.Name, e.Name, $"the data ends {left} bytes before the size the header gives");
            to.Write(_buffer, 0, n);
            left -= n;
        }
        Bytes += e.Length;
    }

    private WindowsLayerException Refused(TarEntry e, string check, string why) =>
        new(ErrorKind.InvalidDocument, _options.Name, e.Name, why, check: check);
}
