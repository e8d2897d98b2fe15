namespace Carton.Images.Windows;

/// <summary>What an import did.</summary>
/// <param name="DiffId">The digest of the uncompressed tar.</param>
/// <param name="Entries">Tar entries read.</param>
/// <param name="Bytes">Bytes of file data written.</param>
/// <param name="Whiteouts">Paths under Files/ the layer deletes from the layers below (tombstones.txt).</param>
/// <param name="Warnings">Metadata read but not applied (see <see cref="WindowsLayerImporter"/>), one line each.</param>
public sealed record WindowsLayerImportResult(string DiffId, long Entries, long Bytes, IReadOnlyList<string> Whiteouts, IReadOnlyList<string> Warnings);
