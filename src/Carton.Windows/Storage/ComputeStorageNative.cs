using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Carton.Windows.Storage;

/// <summary>
/// computestorage.dll's layer functions, as ComputeStorage.h declares them (Microsoft Learn, "HCS API reference":
/// https://learn.microsoft.com/virtualization/api/hcs/reference/hcsimportlayer, …/hcsexportlayer,
/// …/hcsinitializewritablelayer, …/hcsattachlayerstoragefilter, …/hcsdetachlayerstoragefilter, …/hcsdestroylayer,
/// …/hcssetupbaseoslayer). Each returns an HRESULT; every string is a PCWSTR (UTF-16, NUL-terminated), the JSON
/// documents included. The DLL is present from Windows 10 1809 / Windows Server 2019.
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class ComputeStorageNative
{
    private const string Dll = "computestorage.dll";

    /// <summary>HRESULT WINAPI HcsImportLayer(PCWSTR layerPath, PCWSTR sourceFolderPath, PCWSTR layerData).</summary>
    [LibraryImport(Dll, EntryPoint = "HcsImportLayer", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsImportLayer(string layerPath, string sourceFolderPath, string layerData);

    /// <summary>HRESULT WINAPI HcsExportLayer(PCWSTR layerPath, PCWSTR exportFolderPath, PCWSTR layerData, PCWSTR options).</summary>
    [LibraryImport(Dll, EntryPoint = "HcsExportLayer", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsExportLayer(string layerPath, string exportFolderPath, string layerData, string options);

    /// <summary>HRESULT WINAPI HcsInitializeWritableLayer(PCWSTR writableLayerPath, PCWSTR layerData, PCWSTR options)
    /// (options is optional: NULL is allowed).</summary>
    [LibraryImport(Dll, EntryPoint = "HcsInitializeWritableLayer", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsInitializeWritableLayer(string writableLayerPath, string layerData, string? options);

    /// <summary>HRESULT WINAPI HcsAttachLayerStorageFilter(PCWSTR layerPath, PCWSTR layerData).</summary>
    [LibraryImport(Dll, EntryPoint = "HcsAttachLayerStorageFilter", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsAttachLayerStorageFilter(string layerPath, string layerData);

    /// <summary>HRESULT WINAPI HcsDetachLayerStorageFilter(PCWSTR layerPath).</summary>
    [LibraryImport(Dll, EntryPoint = "HcsDetachLayerStorageFilter", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsDetachLayerStorageFilter(string layerPath);

    /// <summary>HRESULT WINAPI HcsDestroyLayer(PCWSTR layerPath).</summary>
    [LibraryImport(Dll, EntryPoint = "HcsDestroyLayer", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsDestroyLayer(string layerPath);

    /// <summary>HRESULT WINAPI HcsSetupBaseOSLayer(PCWSTR layerPath, HANDLE vhdHandle, PCWSTR options).</summary>
    [LibraryImport(Dll, EntryPoint = "HcsSetupBaseOSLayer", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int HcsSetupBaseOSLayer(string layerPath, SafeHandle vhdHandle, string options);
}
