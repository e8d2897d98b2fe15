using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json;

namespace Carton.Windows.Storage;

/// <summary>
/// The real <see cref="ILayerStorage"/>: computestorage.dll through <see cref="ComputeStorageNative"/>. It serializes
/// the documents with <see cref="StorageJsonContext"/> and turns a failure HRESULT into a
/// <see cref="LayerStorageException"/>. The caller needs SeBackupPrivilege and SeRestorePrivilege (an elevated
/// process), as hcsshim documents for its own callers of these functions.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class ComputeStorage : ILayerStorage
{
    /// <inheritdoc/>
    public void ImportLayer(string layerPath, string sourceFolderPath, LayerData parents)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        ArgumentException.ThrowIfNullOrEmpty(sourceFolderPath);
        var json = Json(parents);
        Check("HcsImportLayer", layerPath, ComputeStorageNative.HcsImportLayer(layerPath, sourceFolderPath, json));
    }

    /// <inheritdoc/>
    public void ExportLayer(string layerPath, string exportFolderPath, LayerData parents, ExportLayerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        ArgumentException.ThrowIfNullOrEmpty(exportFolderPath);
        ArgumentNullException.ThrowIfNull(options);
        var json = Json(parents);
        var optionsJson = JsonSerializer.Serialize(options, StorageJsonContext.Default.ExportLayerOptions);
        Check("HcsExportLayer", layerPath, ComputeStorageNative.HcsExportLayer(layerPath, exportFolderPath, json, optionsJson));
    }

    /// <inheritdoc/>
    public void InitializeWritableLayer(string writableLayerPath, LayerData layers, string? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(writableLayerPath);
        var json = Json(layers);
        Check("HcsInitializeWritableLayer", writableLayerPath,
            ComputeStorageNative.HcsInitializeWritableLayer(writableLayerPath, json, options));
    }

    /// <inheritdoc/>
    public void AttachLayerStorageFilter(string layerPath, LayerData layers)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        var json = Json(layers);
        Check("HcsAttachLayerStorageFilter", layerPath, ComputeStorageNative.HcsAttachLayerStorageFilter(layerPath, json));
    }

    /// <inheritdoc/>
    public void DetachLayerStorageFilter(string layerPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        Check("HcsDetachLayerStorageFilter", layerPath, ComputeStorageNative.HcsDetachLayerStorageFilter(layerPath));
    }

    /// <inheritdoc/>
    public void DestroyLayer(string layerPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        Check("HcsDestroyLayer", layerPath, ComputeStorageNative.HcsDestroyLayer(layerPath));
    }

    /// <inheritdoc/>
    public void SetupBaseOSLayer(string layerPath, SafeHandle vhdHandle, OsLayerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerPath);
        ArgumentNullException.ThrowIfNull(vhdHandle);
        ArgumentNullException.ThrowIfNull(options);
        var json = JsonSerializer.Serialize(options, StorageJsonContext.Default.OsLayerOptions);
        Check("HcsSetupBaseOSLayer", layerPath, ComputeStorageNative.HcsSetupBaseOSLayer(layerPath, vhdHandle, json));
    }

    private static string Json(LayerData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return JsonSerializer.Serialize(data, StorageJsonContext.Default.LayerData);
    }

    /// <summary>A negative HRESULT is a failure (winerror.h's FAILED); S_OK and other success codes are not.</summary>
    private static void Check(string call, string layerPath, int hresult)
    {
        if (hresult < 0) throw new LayerStorageException(call, layerPath, hresult);
    }
}
