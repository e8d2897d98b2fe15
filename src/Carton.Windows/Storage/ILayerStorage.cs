namespace Carton.Windows.Storage;

/// <summary>
/// The seam in front of computestorage.dll: the layer calls Carton makes, one method each, with the JSON documents as
/// typed values. <see cref="ComputeStorage"/> is the real one (Windows only); tests use a fake. Every call is
/// synchronous, as the DLL's are (they return an HRESULT when the work is done); a failure is a
/// <see cref="LayerStorageException"/> naming the call and the layer path.
/// </summary>
public interface ILayerStorage
{
    /// <summary>HcsImportLayer: sets up <paramref name="layerPath"/> from the transport-format folder
    /// <paramref name="sourceFolderPath"/>, over the layers <paramref name="parents"/> names (parent first).</summary>
    void ImportLayer(string layerPath, string sourceFolderPath, LayerData parents);

    /// <summary>HcsExportLayer: writes <paramref name="layerPath"/> in transport format into
    /// <paramref name="exportFolderPath"/>.</summary>
    void ExportLayer(string layerPath, string exportFolderPath, LayerData parents, ExportLayerOptions options);

    /// <summary>HcsInitializeWritableLayer: makes <paramref name="writableLayerPath"/> a container's scratch layer over
    /// <paramref name="layers"/>; <paramref name="options"/> is passed as it is (null: none).</summary>
    void InitializeWritableLayer(string writableLayerPath, LayerData layers, string? options);

    /// <summary>HcsAttachLayerStorageFilter: attaches the layer filter (wcifs) to <paramref name="layerPath"/> so the
    /// stack <paramref name="layers"/> shows through it.</summary>
    void AttachLayerStorageFilter(string layerPath, LayerData layers);

    /// <summary>HcsDetachLayerStorageFilter: the reverse of <see cref="AttachLayerStorageFilter"/>.</summary>
    void DetachLayerStorageFilter(string layerPath);

    /// <summary>HcsDestroyLayer: deletes a layer folder HCS set up, whatever it holds.</summary>
    void DestroyLayer(string layerPath);

    /// <summary>HcsSetupBaseOSLayer: sets up a base OS layer from a VHD (<paramref name="vhdHandle"/>, an open virtual
    /// disk handle the caller owns).</summary>
    void SetupBaseOSLayer(string layerPath, System.Runtime.InteropServices.SafeHandle vhdHandle, OsLayerOptions options);
}
