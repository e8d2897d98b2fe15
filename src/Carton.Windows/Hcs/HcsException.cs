namespace Carton.Windows.Hcs;

/// <summary>
/// A computecore.dll call or operation that failed: the HRESULT, its name, the HCS function, and the message of the
/// result document HCS returned with it (when it gave one). Its <see cref="CartonException.Kind"/> is
/// <see cref="HcsErrors.KindOf"/>; Carton.Compute.Windows turns it into the compute contract's typed errors.
/// </summary>
public sealed class HcsException : CartonException
{
    /// <summary>A failure of <paramref name="operation"/> with <paramref name="hresult"/>.</summary>
    /// <param name="hresult">The HRESULT (a failure code).</param>
    /// <param name="operation">The HCS function that failed ("HcsStartComputeSystem").</param>
    /// <param name="resultDocument">The result document HCS returned with the failure, if any.</param>
    /// <param name="subject">What the call was about (a compute system id), for the message.</param>
    public HcsException(int hresult, string operation, string? resultDocument = null, string? subject = null)
        : this(hresult, operation, resultDocument, subject, HcsResultDocument.MessageOf(HcsResultDocument.ParseError(resultDocument))) { }

    private HcsException(int hresult, string operation, string? resultDocument, string? subject, string? detail)
        : base(HcsErrors.KindOf(hresult), Format(hresult, operation, subject, detail))
    {
        HResult = hresult;
        Operation = operation;
        Subject = subject;
        ResultDocument = resultDocument;
        HcsMessage = resultDocument is null ? null : detail;
    }

    /// <summary>An operation Carton stopped waiting for (HCS_E_OPERATION_TIMEOUT; HCS itself sent no result).</summary>
    /// <param name="operation">The HCS function.</param>
    /// <param name="subject">What the call was about.</param>
    /// <param name="timeout">How long Carton waited.</param>
    public static HcsException TimedOut(string operation, string? subject, TimeSpan timeout) =>
        new(HcsErrors.HCS_E_OPERATION_TIMEOUT, operation, null, subject, $"no completion within {timeout.TotalSeconds:0.###} s");

    /// <summary>The HRESULT's name ("HCS_E_SYSTEM_NOT_FOUND", or its hex form when unknown).</summary>
    public string HResultName => HcsErrors.NameOf(HResult);
    /// <summary>The HCS function that failed.</summary>
    public string Operation { get; }
    /// <summary>What the call was about (a compute system id), if given.</summary>
    public string? Subject { get; }
    /// <summary>The raw result document, if HCS returned one.</summary>
    public string? ResultDocument { get; }
    /// <summary>HCS's own message from the result document (ErrorMessage and error events), if any.</summary>
    public string? HcsMessage { get; }

    private static string Format(int hresult, string operation, string? subject, string? hcsMessage)
    {
        var about = subject is null ? "" : $" \"{subject}\"";
        var detail = hcsMessage is null ? "" : $": {hcsMessage}";
        return $"{operation}{about} failed with {HcsErrors.NameOf(hresult)} (0x{unchecked((uint)hresult):X8}){detail}";
    }
}
