namespace Carton.Network.Cni;

/// <summary>
/// A plugin call failed: the plugin's CNI error (<c>{"code", "msg", "details"}</c> on stdout), or a non-zero exit
/// without one (its stderr in the message), a plugin binary that is not there (<see cref="ErrorKind.NotFound"/>),
/// or one that did not finish in time and was killed (<see cref="ErrorKind.Timeout"/>).
/// </summary>
public class CniPluginException : CartonException
{
    /// <summary>A plugin failure.</summary>
    /// <param name="kind">The kind (<see cref="KindOf"/> for a CNI error).</param>
    /// <param name="message">The whole message (network, plugin, command, then what the plugin said).</param>
    /// <param name="networkName">The network, or null for a call outside one (VERSION).</param>
    /// <param name="plugin">The plugin's type.</param>
    /// <param name="command">The CNI command (ADD, DEL, CHECK, VERSION, STATUS, GC).</param>
    /// <param name="cniCode">The CNI error code; 0 when the plugin gave none.</param>
    /// <param name="cniMessage">The plugin's <c>msg</c>, or what stands for it (its stderr, "timed out").</param>
    /// <param name="details">The plugin's <c>details</c>, when it gave any.</param>
    /// <param name="inner">The underlying exception.</param>
    public CniPluginException(ErrorKind kind, string message, string? networkName, string plugin, string command, uint cniCode,
        string cniMessage, string? details, Exception? inner = null)
        : base(kind, message, inner, code: null)
    {
        NetworkName = networkName;
        Plugin = plugin;
        Command = command;
        CniCode = cniCode;
        CniMessage = cniMessage;
        Details = details;
    }

    /// <summary>The network the call was for, or null.</summary>
    public string? NetworkName { get; }
    /// <summary>The plugin's type.</summary>
    public string Plugin { get; }
    /// <summary>The CNI command.</summary>
    public string Command { get; }
    /// <summary>The CNI error code; 0 when the plugin gave none (no JSON error, missing, timed out).</summary>
    public uint CniCode { get; }
    /// <summary>The plugin's message.</summary>
    public string CniMessage { get; }
    /// <summary>The plugin's details, if any.</summary>
    public string? Details { get; }

    /// <summary>
    /// The kind of a CNI error code: 1 (incompatible version) Unsupported; 2, 4, 7 (unsupported field, invalid
    /// environment, invalid configuration) InvalidDocument; 3 (unknown container) NotFound; 11 (try again later) and
    /// 50 (not available) Unavailable; others Internal. An exhausted address range is ResourceExhausted whatever its
    /// code: host-local says "no IP addresses available in range set" with code 999 (Debian's 1.1.1; 11 in later
    /// releases), so the message (with the details, if any) is what is recognised.
    /// </summary>
    public static ErrorKind KindOf(uint code, string msg)
    {
        if (msg.Contains("no IP addresses available", StringComparison.OrdinalIgnoreCase)) return ErrorKind.ResourceExhausted;
        return code switch
        {
            1 => ErrorKind.Unsupported,
            2 or 4 or 7 => ErrorKind.InvalidDocument,
            3 => ErrorKind.NotFound,
            11 or 50 => ErrorKind.Unavailable,
            _ => ErrorKind.Internal,
        };
    }

    /// <summary>The prefix of every message: <c>network "web": plugin "bridge" (ADD)</c>.</summary>
    internal static string Where(string? networkName, string plugin, string command) =>
        networkName is null ? $"plugin \"{plugin}\" ({command})" : $"network \"{networkName}\": plugin \"{plugin}\" ({command})";

    /// <summary>The same error with more said after it (the cleanup DEL's failure); type, kind and fields kept.</summary>
    internal CniPluginException WithSuffix(string suffix) =>
        new(Kind, Message + suffix, NetworkName, Plugin, Command, CniCode, CniMessage, Details, this);
}
