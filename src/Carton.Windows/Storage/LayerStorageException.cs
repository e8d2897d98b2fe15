using System.Globalization;

namespace Carton.Windows.Storage;

/// <summary>
/// A computestorage.dll call that returned a failure HRESULT: the message names the call, the layer path and the
/// HRESULT ("HcsImportLayer C:\layers\abc: 0x80070005 (E_ACCESSDENIED)"). <see cref="CartonException.Kind"/> is what
/// the HRESULT says about the caller's situation (access denied, not found, already exists, disk full, an invalid
/// argument); anything else is Internal.
/// </summary>
public sealed class LayerStorageException : CartonException
{
    /// <summary>A failure of <paramref name="call"/> on <paramref name="layerPath"/>.</summary>
    /// <param name="call">The computestorage.dll function ("HcsImportLayer").</param>
    /// <param name="layerPath">The layer path the call was given.</param>
    /// <param name="hresult">The HRESULT it returned.</param>
    public LayerStorageException(string call, string layerPath, int hresult)
        : base(KindOf(hresult), $"{call} {layerPath}: {Describe(hresult)}")
    {
        Call = call;
        LayerPath = layerPath;
        HResult = hresult;
    }

    /// <summary>The computestorage.dll function that failed.</summary>
    public string Call { get; }

    /// <summary>The layer path it was given.</summary>
    public string LayerPath { get; }

    /// <summary>"0x80070005 (E_ACCESSDENIED)", or the bare hex for an HRESULT without a well-known name.</summary>
    public static string Describe(int hresult)
    {
        var hex = "0x" + ((uint)hresult).ToString("X8", CultureInfo.InvariantCulture);
        return NameOf(hresult) is { } name ? $"{hex} ({name})" : hex;
    }

    /// <summary>The names of the HRESULTs layer calls are known to return (winerror.h; Win32 errors wrapped by
    /// HRESULT_FROM_WIN32 as 0x8007xxxx).</summary>
    internal static string? NameOf(int hresult) => unchecked((uint)hresult) switch
    {
        0x80070002 => "ERROR_FILE_NOT_FOUND",
        0x80070003 => "ERROR_PATH_NOT_FOUND",
        0x80070005 => "E_ACCESSDENIED",
        0x80070020 => "ERROR_SHARING_VIOLATION",
        0x80070050 => "ERROR_FILE_EXISTS",
        0x80070057 => "E_INVALIDARG",
        0x80070070 => "ERROR_DISK_FULL",
        0x800700B7 => "ERROR_ALREADY_EXISTS",
        0x80070522 => "ERROR_PRIVILEGE_NOT_HELD",
        0x8007007E => "ERROR_MOD_NOT_FOUND",
        0x8007007F => "ERROR_PROC_NOT_FOUND",
        0x8007000E => "E_OUTOFMEMORY",
        0x80004001 => "E_NOTIMPL",
        0x80004005 => "E_FAIL",
        _ => null,
    };

    /// <summary>The error kind an HRESULT implies.</summary>
    internal static ErrorKind KindOf(int hresult) => unchecked((uint)hresult) switch
    {
        0x80070002 or 0x80070003 => ErrorKind.NotFound,
        0x80070005 or 0x80070522 => ErrorKind.PermissionDenied,
        0x80070050 or 0x800700B7 => ErrorKind.AlreadyExists,
        0x80070057 => ErrorKind.InvalidDocument,
        0x80070070 or 0x8007000E => ErrorKind.ResourceExhausted,
        0x8007007E or 0x8007007F or 0x80004001 => ErrorKind.Unsupported,
        0x80070020 => ErrorKind.InvalidState,
        _ => ErrorKind.Internal,
    };
}
