namespace Carton.Windows.Network;

/// <summary>
/// A failed HCN call: the function, what it was about (a network, endpoint or namespace, by name or GUID), the
/// HRESULT by name (<see cref="HcnErrorCodes"/>) and HCN's error record (the JSON document its <c>ErrorRecord</c>
/// out parameter returns: <c>{"ErrorCode", "Error", "Success"}</c>). Its <see cref="CartonException.Kind"/> follows
/// the HRESULT: a network HCN does not know is NotFound, a taken host port AlreadyExists, and so on.
/// </summary>
public sealed class HostComputeNetworkException : CartonException
{
    /// <summary>A failure of <paramref name="operation"/> on <paramref name="subject"/>.</summary>
    /// <param name="operation">The HCN function ("HcnCreateNetwork").</param>
    /// <param name="subject">What it was about ("network \"carton\" (GUID)").</param>
    /// <param name="hresult">The HRESULT it returned (or the error record's ErrorCode).</param>
    /// <param name="errorRecord">The error record as HCN returned it, or null.</param>
    public HostComputeNetworkException(string operation, string subject, int hresult, string? errorRecord)
        : base(HcnErrorCodes.KindOf(hresult), Describe(operation, subject, hresult, errorRecord))
    {
        Operation = operation;
        Subject = subject;
        HResult = hresult;
        ErrorName = HcnErrorCodes.NameOf(hresult);
        ErrorRecord = errorRecord;
        Record = HcnErrorRecord.TryParse(errorRecord);
    }

    /// <summary>The HCN function that failed.</summary>
    public string Operation { get; }

    /// <summary>The network, endpoint or namespace it was about.</summary>
    public string Subject { get; }

    /// <summary>The HRESULT's name ("HCN_E_PORT_ALREADY_EXISTS"), or its hex form.</summary>
    public string ErrorName { get; }

    /// <summary>HCN's error record, as returned (JSON), or null.</summary>
    public string? ErrorRecord { get; }

    /// <summary>The error record parsed, when it was JSON.</summary>
    public HcnErrorRecord? Record { get; }

    /// <summary>The same failure told about <paramref name="subject"/> (a caller that knows the network's name
    /// where this layer knew only its GUID).</summary>
    public HostComputeNetworkException About(string subject) => new(Operation, subject, HResult, ErrorRecord);

    private static string Describe(string operation, string subject, int hresult, string? errorRecord)
    {
        var description = HcnErrorCodes.DescriptionOf(hresult);
        var detail = HcnErrorRecord.TryParse(errorRecord)?.Error ?? (string.IsNullOrWhiteSpace(errorRecord) ? null : errorRecord.Trim());
        var text = $"{operation} {subject}: {HcnErrorCodes.NameOf(hresult)}";
        if (description is not null) text += $" ({description})";
        text += $" [{HcnErrorCodes.Hex(hresult)}]";
        if (detail is not null && !string.Equals(detail, description, StringComparison.OrdinalIgnoreCase)) text += ": " + detail;
        return text;
    }
}
