using System.Formats.Tar;
using System.Security.Cryptography;
using Carton.Windows.Storage;

namespace Carton.Images.Windows;

/// <summary>
/// Imports a Windows image layer: reads its tar (the format hcsshim's pkg/ociwclayer and Docker's Windows daemon
/// write: Files/, Hives/, UtilityVM/Files/, whiteouts ".wh.NAME", PAX records MSWINDOWS.fileattr,
/// MSWINDOWS.rawsd, MSWINDOWS.mountpoint, LIBARCHIVE.creationtime, hard links) with System.Formats.Tar, writes it as a
/// layer transport folder next to the layer (<see cref="TransportFolderWriter"/> says what goes where and which
/// Windows metadata is applied, recorded or ignored), then has HCS import it over the parent layers
/// (<see cref="ILayerStorage.ImportLayer"/>, HcsImportLayer). Decompression is the caller's: the stream is the
/// uncompressed tar (Carton.Images' LayerStream.Open over the content store's blob; <see cref="LayerFolders"/> is the
/// wiring).
/// </summary>
/// <remarks>
/// The defences are the Linux unpacker's (no entry or link may leave the layer, the DiffID is checked) plus those
/// Windows path rules call for (backslashes, drive letters, alternate data streams, device names, names Windows would
/// alias): see <see cref="ImportChecks"/>. Every refusal is a <see cref="WindowsLayerException"/> naming the entry and
/// why. A failed import leaves nothing: the staging folder is always removed, and the layer folder too (through
/// HcsDestroyLayer, since HCS may have made it, then by deletion). Like the Linux unpacker, there is no size or entry
/// count limit (the content store bounds what was downloaded).
/// Differences from hcsshim, not verified on a Windows host: hcsshim imports a base layer (no parents) without
/// HcsImportLayer (it writes the files in place with BackupWrite and calls ProcessBaseLayer) and writes UtilityVM/
/// into the layer folder itself before calling ProcessUtilityVMImage; Carton hands every layer to HcsImportLayer with
/// its transport folder, UtilityVM/ included. Hard links into parent layers and whiteouts in UtilityVM/ are refused
/// (Unsupported or InvalidDocument), as are NTFS alternate data streams.
/// </remarks>
public sealed class WindowsLayerImporter
{
    private const int BufferSize = 1 << 20;
    private readonly ILayerStorage _storage;

    /// <summary>An importer that calls <paramref name="storage"/> (ComputeStorage on Windows, a fake in tests).</summary>
    public WindowsLayerImporter(ILayerStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
    }

    /// <summary>The staging folder of <paramref name="layerPath"/>: a sibling, so on the same volume.</summary>
    public static string StagingFolderOf(string layerPath) => Path.TrimEndingDirectorySeparator(layerPath) + ".import";

    /// <summary>
    /// Imports the layer tar <paramref name="tar"/> into <paramref name="layerPath"/> (which must not exist) over
    /// <paramref name="parentLayerPaths"/> (the layers below, nearest first, the base layer last: LayerData's order).
    /// </summary>
    public WindowsLayerImportResult Import(Stream tar, string layerPath, IReadOnlyList<string> parentLayerPaths, WindowsLayerImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        ArgumentNullException.ThrowIfNull(parentLayerPaths);
        options ??= new WindowsLayerImportOptions();
        var name = options.Name;
        if (options.ExpectedDiffId is not null && !Carton.Images.Digest.TryParse(options.ExpectedDiffId, out _))
            throw new WindowsLayerException(ErrorKind.InvalidDocument, name, null, $"\"{options.ExpectedDiffId}\" is not a digest");
        if (!Path.IsPathFullyQualified(layerPath))
            throw new WindowsLayerException(ErrorKind.InvalidDocument, name, null, $"the layer path \"{layerPath}\" is not absolute");
        foreach (var parent in parentLayerPaths)
            if (!Path.IsPathFullyQualified(parent))
                throw new WindowsLayerException(ErrorKind.InvalidDocument, name, null, $"the parent layer path \"{parent}\" is not absolute");
        if (Directory.Exists(layerPath) || File.Exists(layerPath))
            throw new WindowsLayerException(ErrorKind.AlreadyExists, name, null, $"{layerPath} already exists");

        var staging = StagingFolderOf(layerPath);
        FolderTree.Remove(staging); // a staging folder left by a crash: ours by its name, never a merge
        bool imported = false;
        try
        {
            Directory.CreateDirectory(staging);
            var result = WriteStaging(tar, staging, options);
            var parents = LayerData.Of(parentLayerPaths.Select(p => new LayerDescriptor { Id = LayerFolders.LayerId(p).ToString(), Path = p }));
            try { _storage.ImportLayer(layerPath, staging, parents); }
            catch (CartonException e)
            {
                throw new WindowsLayerException(e.Kind, name, null, $"importing into {layerPath}: {e.Message}", e);
            }
            imported = true;
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WindowsLayerException(e is UnauthorizedAccessException ? ErrorKind.PermissionDenied : ErrorKind.Internal,
                name, null, $"writing the layer's transport folder {staging}: {e.Message}", e);
        }
        finally
        {
            FolderTree.Remove(staging);
            if (!imported) RemoveLayer(layerPath);
        }
    }

    private static WindowsLayerImportResult WriteStaging(Stream tar, string staging, WindowsLayerImportOptions options)
    {
        var name = options.Name;
        using var hash = IncrementalHash.CreateHash(options.ExpectedDiffId?.StartsWith("sha512:", StringComparison.Ordinal) == true
            ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        var tap = new HashingReadStream(tar, hash);
        var writer = new TransportFolderWriter(staging, options, new byte[BufferSize]);
        long entries = 0;
        string? previous = null;
        using (var reader = new TarReader(tap, leaveOpen: true))
        {
            while (true)
            {
                TarEntry? e;
                try { e = reader.GetNextEntry(copyData: false); }
                catch (Exception ex) when (ex is not CartonException and not OutOfMemoryException)
                {
                    var where = previous is null ? "at the start of the archive" : $"after entry \"{previous}\"";
                    throw new WindowsLayerException(ErrorKind.InvalidDocument, name, null, $"malformed tar {where}: {ex.Message}", ex);
                }
                if (e is null) break;
                if (e.EntryType == TarEntryType.GlobalExtendedAttributes) continue;
                entries++;
                try { writer.Add(e); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
                {
                    throw new WindowsLayerException(ex is UnauthorizedAccessException ? ErrorKind.PermissionDenied : ErrorKind.InvalidDocument,
                        name, e.Name, ex.Message, ex);
                }
                previous = e.Name;
            }
        }
        try { tap.Drain(); }
        catch (Exception ex) when (ex is not CartonException and not OutOfMemoryException)
        {
            throw new WindowsLayerException(ErrorKind.InvalidDocument, name, null, $"reading the rest of the stream after the archive's end: {ex.Message}", ex);
        }
        var algorithm = hash.AlgorithmName == HashAlgorithmName.SHA512 ? "sha512" : "sha256";
        var diffId = $"{algorithm}:{Convert.ToHexStringLower(hash.GetHashAndReset())}";
        if (options.ExpectedDiffId is { } expected && diffId != expected && options.On(ImportChecks.DiffId))
            throw new WindowsLayerException(ErrorKind.InvalidDocument, name, null,
                $"the uncompressed layer's digest is {diffId}, the image says its DiffID is {expected}", check: ImportChecks.DiffId);
        writer.Finish();
        return new WindowsLayerImportResult(diffId, entries, writer.Bytes, writer.Tombstones, writer.Warnings);
    }

    /// <summary>A layer folder a failed import may have left: HCS's own delete first (it knows what it made there),
    /// then a plain recursive delete for anything left.</summary>
    private void RemoveLayer(string layerPath)
    {
        if (!Directory.Exists(layerPath)) return;
        try { _storage.DestroyLayer(layerPath); }
        catch (CartonException) { }
        FolderTree.Remove(layerPath);
    }
}
