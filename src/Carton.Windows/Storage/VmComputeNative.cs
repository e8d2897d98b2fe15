using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Carton.Windows.Storage;

/// <summary>
/// The one vmcompute.dll function Carton needs: NameToGuid, the id HCS gives a layer folder. Its algorithm is not
/// published (hcsshim calls it too, internal/wclayer/nametoguid.go), so the real function is asked on Windows rather
/// than guessed. Prototype, as hcsshim declares it: HRESULT NameToGuid(PCWSTR name, GUID *guid).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class VmComputeNative
{
    [LibraryImport("vmcompute.dll", EntryPoint = "NameToGuid", StringMarshalling = StringMarshalling.Utf16)]
    internal static partial int NameToGuid(string name, out Guid guid);
}

/// <summary>The id of a layer folder, as HCS derives it from the folder's name (Storage.Layers[].Id).</summary>
[SupportedOSPlatform("windows")]
public static class LayerFolderIds
{
    /// <summary>vmcompute.dll's NameToGuid of <paramref name="folderName"/> (the folder's last path element).</summary>
    /// <exception cref="LayerStorageException">NameToGuid failed (its HRESULT named)</exception>
    public static Guid Of(string folderName)
    {
        ArgumentException.ThrowIfNullOrEmpty(folderName);
        var hr = VmComputeNative.NameToGuid(folderName, out var guid);
        if (hr < 0) throw new LayerStorageException("NameToGuid", folderName, hr);
        return guid;
    }
}
