using System.Text.Json;

namespace Carton.Windows.Network;

/// <summary>How an HCN call's outcome is read, apart from the calls themselves so that the rule is tested on Linux:
/// a failed HRESULT fails; so does a success whose error record says <c>"Success": false</c> (its ErrorCode is then
/// the HRESULT that counts, E_FAIL when it has none).</summary>
public static class HcnResult
{
    private const int EFail = unchecked((int)0x80004005);

    /// <summary>Throws a <see cref="HostComputeNetworkException"/> when the call failed.</summary>
    public static void ThrowIfFailed(string operation, string subject, int hresult, string? errorRecord)
    {
        if (hresult < 0) throw new HostComputeNetworkException(operation, subject, hresult, errorRecord);
        if (HcnErrorRecord.TryParse(errorRecord) is { Success: false } record)
            throw new HostComputeNetworkException(operation, subject, record.ErrorCode is uint code && code != 0 ? unchecked((int)code) : EFail, errorRecord);
    }

    /// <summary>The GUIDs of an enumeration's answer (a JSON array of GUID strings; null or empty is none).</summary>
    public static List<Guid> ParseGuidList(string operation, string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        List<string>? ids;
        try
        {
            ids = JsonSerializer.Deserialize(json, HcnJsonContext.Default.ListString);
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.Internal, $"{operation}: the answer is not a JSON array of GUIDs: {e.Message}", e);
        }
        var result = new List<Guid>();
        foreach (var id in ids ?? [])
        {
            if (!Guid.TryParse(id, out var guid))
                throw new CartonException(ErrorKind.Internal, $"{operation}: \"{id}\" in the answer is not a GUID");
            result.Add(guid);
        }
        return result;
    }
}
