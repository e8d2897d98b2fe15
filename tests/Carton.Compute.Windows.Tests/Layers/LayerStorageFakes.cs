using System.Runtime.InteropServices;
using System.Text.Json;
using Carton.Windows.Storage;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>One ImportLayer call as the fake saw it, with the transport folder's contents at that moment (the
/// importer removes the folder right after).</summary>
internal sealed record ImportCall(string LayerPath, string SourceFolder, string LayerDataJson, Dictionary<string, byte[]?> Folder);

/// <summary>
/// A recording <see cref="ILayerStorage"/>: ImportLayer snapshots the transport folder (path → bytes, null for a
/// directory) and, like HCS, makes the layer folder; it can be told to fail (after making the folder, as a half-done
/// import would).
/// </summary>
internal sealed class FakeLayerStorage : ILayerStorage
{
    public List<ImportCall> Imports { get; } = [];
    public List<string> Destroyed { get; } = [];
    public int? FailImportWith { get; set; }

    public void ImportLayer(string layerPath, string sourceFolderPath, LayerData parents)
    {
        var snapshot = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (var entry in Directory.EnumerateFileSystemEntries(sourceFolderPath, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(sourceFolderPath, entry).Replace('\\', '/');
            snapshot[rel] = Directory.Exists(entry) ? null : File.ReadAllBytes(entry);
        }
        Imports.Add(new ImportCall(layerPath, sourceFolderPath, JsonSerializer.Serialize(parents, StorageJsonContext.Default.LayerData), snapshot));
        Directory.CreateDirectory(layerPath);
        File.WriteAllText(Path.Combine(layerPath, "layer.vhdx-ish"), "made by the fake HCS");
        if (FailImportWith is { } hr) throw new LayerStorageException("HcsImportLayer", layerPath, hr);
    }

    public void DestroyLayer(string layerPath) => Destroyed.Add(layerPath);

    public void ExportLayer(string layerPath, string exportFolderPath, LayerData parents, ExportLayerOptions options) => throw new NotSupportedException();
    public void InitializeWritableLayer(string writableLayerPath, LayerData layers, string? options) => throw new NotSupportedException();
    public void AttachLayerStorageFilter(string layerPath, LayerData layers) => throw new NotSupportedException();
    public void DetachLayerStorageFilter(string layerPath) => throw new NotSupportedException();
    public void SetupBaseOSLayer(string layerPath, SafeHandle vhdHandle, OsLayerOptions options) => throw new NotSupportedException();
}

/// <summary>A temporary folder for one test, removed after.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "carton-wl-" + Guid.NewGuid().ToString("N")));

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
